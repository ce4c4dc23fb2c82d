import type { DataSource } from 'typeorm';

import { Input } from '../kms/operations/input.js';
import { AccessKeyChanges } from '../tenants/access-key.repository.js';
import { TenancyService } from '../tenants/tenancy.service.js';
import { ReversingWrapper, gatewayDatabase } from '../tenants/tenancy.test-helper.js';
import { AdminOperations } from './registry.js';

const CALLER = { accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:user/admin' };

describe('adminOperations', () => {
  let ds: DataSource;
  let tenancy: TenancyService;

  const call = async (name: string, body: Record<string, unknown>) => {
    const op = AdminOperations[name];
    if (!op) throw new Error(`no admin operation ${name}`);
    return (await op({ input: new Input(body), caller: CALLER, tenancy })).output;
  };

  beforeEach(async () => {
    ds = await gatewayDatabase();
    tenancy = new TenancyService(ds, new AccessKeyChanges(), new ReversingWrapper());
  });

  afterEach(async () => {
    await ds.destroy();
  });

  it('should serve exactly the documented admin operations when the registry is read', () => {
    expect(Object.keys(AdminOperations).sort()).toEqual([
      'CreateAccessKey',
      'CreateAccount',
      'CreateUser',
      'DeleteAccessKey',
      'DeleteUser',
      'DeleteUserPolicy',
      'GetUserPolicy',
      'ListAccessKeys',
      'ListUserPolicies',
      'ListUserTags',
      'ListUsers',
      'PutUserPolicy',
      'TagUser',
      'UntagUser',
      'UpdateAccessKey',
    ]);
  });

  it('should answer the secret in CreateAccessKey only when an account, user and key are created', async () => {
    const out = await call('CreateAccount', { AccountName: 'tenant b' });
    const accountId = (out['Account'] as { AccountId: string }).AccountId;
    expect(out['Account']).toEqual({
      AccountId: accountId,
      AccountName: 'tenant b',
      CreateDate: expect.any(Number),
    });
    expect(await call('CreateUser', { AccountId: accountId, UserName: 'alice' })).toEqual({
      User: {
        AccountId: accountId,
        UserName: 'alice',
        Arn: `arn:aws:iam::${accountId}:user/alice`,
        CreateDate: expect.any(Number),
      },
    });
    const created = (await call('CreateAccessKey', { AccountId: accountId, UserName: 'alice' }))[
      'AccessKey'
    ] as Record<string, unknown>;
    expect(Object.keys(created).sort()).toEqual([
      'AccessKeyId',
      'AccountId',
      'CreateDate',
      'SecretAccessKey',
      'Status',
      'UserName',
    ]);
    const listed = await call('ListAccessKeys', { AccountId: accountId, UserName: 'alice' });
    expect(listed).toEqual({
      AccessKeyMetadata: [
        {
          AccountId: accountId,
          UserName: 'alice',
          AccessKeyId: created['AccessKeyId'],
          Status: 'Active',
          CreateDate: expect.any(Number),
        },
      ],
      IsTruncated: false,
    });
    expect(JSON.stringify(listed)).not.toContain(created['SecretAccessKey'] as string);
  });

  it("should use the caller's own account when AccountId is left out", async () => {
    await ds.query(
      `INSERT INTO accounts (id, name, created_at) VALUES ('111122223333', 'admin', '2025-01-01 00:00:00')`,
    );
    await call('CreateUser', { UserName: 'bob' });
    expect(await call('ListUsers', {})).toMatchObject({
      Users: [{ AccountId: '111122223333', UserName: 'bob' }],
    });
  });

  it('should answer ValidationException when a required field is missing or an enum value is unknown', async () => {
    await expect(call('CreateAccount', {})).rejects.toMatchObject({ type: 'ValidationException' });
    await expect(call('CreateAccount', { AccountName: 'bad/name' })).rejects.toMatchObject({
      type: 'ValidationException',
    });
    await expect(call('CreateUser', { AccountId: '111122223333' })).rejects.toMatchObject({
      type: 'ValidationException',
    });
    await expect(
      call('UpdateAccessKey', { UserName: 'a', AccessKeyId: 'AKIA0000000000000000', Status: 'Paused' }),
    ).rejects.toMatchObject({ type: 'ValidationException' });
    await expect(
      call('UpdateAccessKey', { UserName: 'a', AccessKeyId: 'AKIA0000000000000000' }),
    ).rejects.toMatchObject({ type: 'ValidationException' });
    await expect(call('CreateUser', { UserName: 42 })).rejects.toMatchObject({
      type: 'SerializationException',
    });
  });
});
