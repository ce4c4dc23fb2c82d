import type { DataSource } from 'typeorm';

import { AwsError } from '../kms/aws-error.js';
import { AccessKeyChanges, AccessKeyRepository } from './access-key.repository.js';
import { AccessKeyEntity } from './account.entity.js';
import { TenancyService } from './tenancy.service.js';
import { ReversingWrapper, gatewayDatabase } from './tenancy.test-helper.js';
import { UserEntity } from './user.entity.js';

async function rejectsWith(p: Promise<unknown>, type: string): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(AwsError);
  await expect(p).rejects.toMatchObject({ type });
}

describe('TenancyService', () => {
  let ds: DataSource;
  let wrapper: ReversingWrapper;
  let changed: string[];
  let changes: AccessKeyChanges;
  let tenancy: TenancyService;

  beforeEach(async () => {
    ds = await gatewayDatabase();
    wrapper = new ReversingWrapper();
    changed = [];
    changes = new AccessKeyChanges();
    changes.onChange((id) => changed.push(id));
    tenancy = new TenancyService(ds, changes, wrapper);
  });

  afterEach(async () => {
    await ds.destroy();
  });

  it('should create an account with a 12-digit id and users with IAM ARNs when asked', async () => {
    const a = await tenancy.createAccount('tenant-a');
    expect(a.accountId).toMatch(/^[1-9]\d{11}$/);
    const u = await tenancy.createUser(a.accountId, 'alice');
    expect(u.arn).toBe(`arn:aws:iam::${a.accountId}:user/alice`);
    expect((await tenancy.listUsers(a.accountId)).map((x) => x.userName)).toEqual(['alice']);
    expect(await tenancy.isAdmin(u.arn)).toBe(false);
  });

  it('should answer EntityAlreadyExistsException when the user name is taken in the account', async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    await rejectsWith(tenancy.createUser(a.accountId, 'alice'), 'EntityAlreadyExistsException');
    const b = await tenancy.createAccount('b');
    await expect(tenancy.createUser(b.accountId, 'alice')).resolves.toBeDefined();
  });

  it('should answer ValidationException when the user name or account id breaks the rules', async () => {
    const a = await tenancy.createAccount('a');
    await rejectsWith(tenancy.createUser(a.accountId, 'bad name'), 'ValidationException');
    await rejectsWith(tenancy.createUser(a.accountId, 'u'.repeat(65)), 'ValidationException');
    await rejectsWith(tenancy.createUser('000000000000', 'alice'), 'ValidationException');
    await rejectsWith(tenancy.createUser('12345', 'alice'), 'ValidationException');
  });

  it('should answer NoSuchEntityException when the account, user or key does not exist', async () => {
    await rejectsWith(tenancy.createUser('999999999999', 'alice'), 'NoSuchEntityException');
    const a = await tenancy.createAccount('a');
    await rejectsWith(tenancy.createAccessKey(a.accountId, 'ghost'), 'NoSuchEntityException');
    await tenancy.createUser(a.accountId, 'alice');
    await rejectsWith(
      tenancy.updateAccessKey(a.accountId, 'alice', 'AKIANOSUCHKEY0000000', 'Inactive'),
      'NoSuchEntityException',
    );
  });

  it('should store the secret only wrapped and answer it once when an access key is created', async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    const k = await tenancy.createAccessKey(a.accountId, 'alice');
    expect(k.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(k.status).toBe('Active');
    const row = await ds.getRepository(AccessKeyEntity).findOneByOrFail({ accessKeyId: k.accessKeyId });
    expect(row.secretWrapped).toBe(true);
    expect(row.secret).not.toContain(k.secretAccessKey);
    expect(await tenancy.listAccessKeys(a.accountId, 'alice')).toEqual([
      {
        accessKeyId: k.accessKeyId,
        accountId: a.accountId,
        userName: 'alice',
        status: 'Active',
        createdAt: expect.any(Date),
      },
    ]);
    const callers = new AccessKeyRepository(ds, 30_000, undefined, { secrets: wrapper });
    expect(await callers.findActive(k.accessKeyId)).toMatchObject({ secret: k.secretAccessKey });
  });

  it('should answer LimitExceededException when a user already has two access keys, active or not', async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    const first = await tenancy.createAccessKey(a.accountId, 'alice');
    await tenancy.createAccessKey(a.accountId, 'alice');
    await tenancy.updateAccessKey(a.accountId, 'alice', first.accessKeyId, 'Inactive');
    await rejectsWith(tenancy.createAccessKey(a.accountId, 'alice'), 'LimitExceededException');
    await tenancy.deleteAccessKey(a.accountId, 'alice', first.accessKeyId);
    await expect(tenancy.createAccessKey(a.accountId, 'alice')).resolves.toBeDefined();
  });

  it('should announce the key when it is deactivated or deleted', async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    const k = await tenancy.createAccessKey(a.accountId, 'alice');
    await tenancy.updateAccessKey(a.accountId, 'alice', k.accessKeyId, 'Inactive');
    expect((await tenancy.listAccessKeys(a.accountId, 'alice'))[0]!.status).toBe('Inactive');
    await tenancy.deleteAccessKey(a.accountId, 'alice', k.accessKeyId);
    expect(changed).toEqual([k.accessKeyId, k.accessKeyId]);
    expect(await tenancy.listAccessKeys(a.accountId, 'alice')).toEqual([]);
  });

  it("should not touch another user's key when the key id is named under the wrong user", async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    await tenancy.createUser(a.accountId, 'bob');
    const k = await tenancy.createAccessKey(a.accountId, 'alice');
    await rejectsWith(tenancy.deleteAccessKey(a.accountId, 'bob', k.accessKeyId), 'NoSuchEntityException');
    expect(await tenancy.listAccessKeys(a.accountId, 'alice')).toHaveLength(1);
  });

  it('should answer DeleteConflictException when the user still has access keys', async () => {
    const a = await tenancy.createAccount('a');
    await tenancy.createUser(a.accountId, 'alice');
    const k = await tenancy.createAccessKey(a.accountId, 'alice');
    await rejectsWith(tenancy.deleteUser(a.accountId, 'alice'), 'DeleteConflictException');
    await tenancy.deleteAccessKey(a.accountId, 'alice', k.accessKeyId);
    await tenancy.deleteUser(a.accountId, 'alice');
    expect(await tenancy.listUsers(a.accountId)).toEqual([]);
  });

  it('should call a user an admin only when its flag is set', async () => {
    const a = await tenancy.createAccount('a');
    const u = await tenancy.createUser(a.accountId, 'root-ish');
    expect(await tenancy.isAdmin(u.arn)).toBe(false);
    await ds
      .getRepository(UserEntity)
      .update({ accountId: a.accountId, userName: 'root-ish' }, { isAdmin: true });
    expect(await tenancy.isAdmin(u.arn)).toBe(true);
    expect(await tenancy.isAdmin('arn:aws:iam::111122223333:user/nobody')).toBe(false);
  });
});

describe('TenancyService, user tags', () => {
  it('should merge, list and remove user tags and drop the user access keys from the lookup cache when tags change', async () => {
    const ds = await gatewayDatabase();
    const changes = new AccessKeyChanges();
    const changed: string[] = [];
    changes.onChange((id) => changed.push(id));
    const tenancy = new TenancyService(ds, changes, undefined);
    try {
      const account = await tenancy.createAccount('tags');
      await tenancy.createUser(account.accountId, 'u');
      const key = await tenancy.createAccessKey(account.accountId, 'u');
      await tenancy.tagUser(account.accountId, 'u', { team: 'blue', env: 'dev' });
      await tenancy.tagUser(account.accountId, 'u', { team: 'red' });
      expect(await tenancy.listUserTags(account.accountId, 'u')).toEqual({ env: 'dev', team: 'red' });
      await tenancy.untagUser(account.accountId, 'u', ['env', 'missing']);
      expect(await tenancy.listUserTags(account.accountId, 'u')).toEqual({ team: 'red' });
      expect(changed).toEqual([key.accessKeyId, key.accessKeyId, key.accessKeyId]);
    } finally {
      await ds.destroy();
    }
  });

  it('should answer LimitExceededException when a user would carry more than 50 tags', async () => {
    const ds = await gatewayDatabase();
    const tenancy = new TenancyService(ds, new AccessKeyChanges(), undefined);
    try {
      const account = await tenancy.createAccount('tags');
      await tenancy.createUser(account.accountId, 'u');
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
      await tenancy.tagUser(account.accountId, 'u', many);
      await expect(tenancy.tagUser(account.accountId, 'u', { one: 'more' })).rejects.toMatchObject({
        type: 'LimitExceededException',
      });
    } finally {
      await ds.destroy();
    }
  });
});
