import { jest } from '@jest/globals';
import { logger } from '@symbolon/platform';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDataSource } from '@symbolon/platform';

import { Initial1764374400002 } from '../migrations/1764374400002-initial.js';
import { AccessKeyRepository } from './access-key.repository.js';
import { AccessKeyEntity, AccountEntity } from './account.entity.js';
import { retryAtBoot, sealAccessKey, wrapPlaintextSecrets } from './secret-wrapper.js';
import { ReversingWrapper, gatewayDatabase } from './tenancy.test-helper.js';
import { UserEntity } from './user.entity.js';

const PLAIN = 'plaintext-secret-of-the-bootstrap-admin-0123';

/** A row as the walking-skeleton gateway wrote it (before users and wrapping existed). */
class LegacyRow1764374400003 implements MigrationInterface {
  name = 'LegacyRow1764374400003';
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO accounts (id, name, created_at) VALUES ('111122223333', 'admin', '2025-01-01 00:00:00')`,
    );
    await q.query(
      `INSERT INTO access_keys (access_key_id, account_id, principal_arn, secret, status, created_at)
       VALUES ('AKIALEGACY0000000000', '111122223333', 'arn:aws:iam::111122223333:user/admin', '${PLAIN}', 'Active', '2025-01-01 00:00:00')`,
    );
  }
  async down(): Promise<void> {}
}

describe('secret wrapping at rest', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-secrets-'));
    jest.spyOn(logger, 'info').mockImplementation((() => undefined) as unknown as typeof logger.info);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should wrap a new key when a wrapper is configured and leave it marked plaintext when none is', async () => {
    const key: AccessKeyEntity = {
      accessKeyId: 'AKIAKEY0000000000000',
      accountId: '111122223333',
      principalArn: 'arn:aws:iam::111122223333:user/a',
      secret: 's3cret',
      secretWrapped: false,
      status: 'Active',
      createdAt: new Date(0),
    };
    expect(await sealAccessKey(key, new ReversingWrapper())).toMatchObject({
      secret: 'wrapped:AKIAKEY0000000000000:terc3s',
      secretWrapped: true,
    });
    expect(await sealAccessKey(key, undefined)).toMatchObject({ secret: 's3cret', secretWrapped: false });
  });

  it('should make the old admin a platform admin and wrap its plaintext secret when an old database is upgraded', async () => {
    const path = join(dir, 'gateway.sqlite');
    const old = await openDataSource(
      { type: 'sqlite', path, schema: 'gateway', migrate: true },
      [],
      [Initial1764374400002, LegacyRow1764374400003],
    );
    await old.destroy();
    const ds = await gatewayDatabase(path);
    try {
      const admin = await ds.getRepository(UserEntity).findOneByOrFail({ userName: 'admin' });
      expect(admin).toMatchObject({
        accountId: '111122223333',
        isAdmin: true,
        arn: 'arn:aws:iam::111122223333:user/admin',
      });
      const wrapper = new ReversingWrapper();
      expect(await wrapPlaintextSecrets(ds, wrapper)).toBe(1);
      expect(await wrapPlaintextSecrets(ds, wrapper)).toBe(0);
      const row = await ds
        .getRepository(AccessKeyEntity)
        .findOneByOrFail({ accessKeyId: 'AKIALEGACY0000000000' });
      expect(row.secretWrapped).toBe(true);
      const callers = new AccessKeyRepository(ds, 30_000, undefined, { secrets: wrapper });
      expect(await callers.findActive('AKIALEGACY0000000000')).toMatchObject({ secret: PLAIN });
      expect(await ds.getRepository(AccountEntity).count()).toBe(1);
    } finally {
      await ds.destroy();
    }
    const bytes = Buffer.concat(
      readdirSync(dir)
        .filter((f) => f.startsWith('gateway.sqlite'))
        .map((f) => readFileSync(join(dir, f))),
    );
    expect(bytes.includes(Buffer.from(PLAIN))).toBe(false);
  });

  it('should unwrap once and then answer from the cache when a wrapped key is looked up twice', async () => {
    const ds = await gatewayDatabase();
    try {
      const wrapper = new ReversingWrapper();
      const callers = new AccessKeyRepository(ds, 30_000, undefined, { secrets: wrapper });
      const now = new Date();
      await callers.createAccountWithKey(
        { id: '111122223333', name: 'a', createdAt: now },
        {
          accessKeyId: 'AKIAKEY1111111111111',
          accountId: '111122223333',
          principalArn: 'arn:aws:iam::111122223333:user/a',
          secret: 'the-secret',
          secretWrapped: false,
          status: 'Active',
          createdAt: now,
        },
        {
          accountId: '111122223333',
          userName: 'a',
          arn: 'arn:aws:iam::111122223333:user/a',
          isAdmin: true,
          identitySeeded: true,
          createdAt: now,
        },
      );
      const row = await ds
        .getRepository(AccessKeyEntity)
        .findOneByOrFail({ accessKeyId: 'AKIAKEY1111111111111' });
      expect(row).toMatchObject({ secretWrapped: true });
      expect(row.secret).not.toContain('the-secret');
      expect(await callers.findActive('AKIAKEY1111111111111')).toMatchObject({ secret: 'the-secret' });
      expect(await callers.findActive('AKIAKEY1111111111111')).toMatchObject({ secret: 'the-secret' });
      expect(wrapper.unwraps).toBe(1);
    } finally {
      await ds.destroy();
    }
  });

  it('should store nothing when wrapping the bootstrap key fails', async () => {
    const ds = await gatewayDatabase();
    try {
      const failing = new ReversingWrapper();
      failing.wrap = async () => {
        throw new Error('coordinator unavailable');
      };
      const callers = new AccessKeyRepository(ds, 30_000, undefined, { secrets: failing });
      const now = new Date();
      await expect(
        callers.createAccountWithKey(
          { id: '111122223333', name: 'a', createdAt: now },
          {
            accessKeyId: 'AKIAKEY2222222222222',
            accountId: '111122223333',
            principalArn: 'arn:aws:iam::111122223333:user/a',
            secret: 'x',
            secretWrapped: false,
            status: 'Active',
            createdAt: now,
          },
        ),
      ).rejects.toThrow('coordinator unavailable');
      expect(await callers.countAccounts()).toBe(0);
    } finally {
      await ds.destroy();
    }
  });

  it('should retry a boot step until it succeeds when it fails at first', async () => {
    let calls = 0;
    const result = await retryAtBoot('test step', async () => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('should throw the last error when the boot step still fails after the deadline', async () => {
    await expect(
      retryAtBoot(
        'test step',
        async () => {
          throw new Error('never');
        },
        0,
      ),
    ).rejects.toThrow('never');
  });
});
