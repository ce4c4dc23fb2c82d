import { CreateKeyCommand, DecryptCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type LocalPostgres, startPostgres } from '@symbolon/platform';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

import {
  type Credentials,
  REPO_ROOT,
  type TestPlatform,
  startTestPlatform,
} from '../../../../libs/testing/src/platform.js';
import { callAdmin } from '../../../cli/src/admin-client.js';

jest.setTimeout(240_000);

const run = promisify(execFile);
const POSTGRES = process.env['SYMBOLON_TEST_DB'] === 'postgres';

/** Every regular file under dir, recursively (database files, WAL segments). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(e.parentPath, e.name);
    if (e.isDirectory()) return filesUnder(path);
    return e.isFile() ? [path] : [];
  });
}

/** Whether any file of the gateway's database holds these bytes (SQLite file + WAL, or the PostgreSQL data dir). */
function databaseHolds(where: string, text: string): boolean {
  const needle = Buffer.from(text);
  return filesUnder(where).some((f) => statSync(f).size > 0 && readFileSync(f).includes(needle));
}

describe('Tenancy (admin API on the running platform)', () => {
  let platform: TestPlatform;
  let dir: string;
  let postgres: LocalPostgres | undefined;
  let postgresUrl: string | undefined;
  let pgDir: string | undefined;
  let dataDir: string;
  /** Where the gateway's SQLite database lives on disk. */
  const dbFiles = () => join(dataDir, 'db');

  /** The access_keys rows as stored, from whichever database the platform runs on. */
  const storedKeys = async (): Promise<{ access_key_id: string; secret: string; wrapped: boolean }[]> => {
    const sql = 'SELECT access_key_id, secret, secret_wrapped FROM access_keys';
    type Row = { access_key_id: string; secret: string; secret_wrapped: boolean | number };
    let rows: Row[];
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query('SET search_path TO gateway');
        rows = (await client.query(sql)).rows as Row[];
      } finally {
        await client.end();
      }
    } else {
      const db = new Database(join(dataDir, 'db', 'gateway.sqlite'), { readonly: true });
      rows = db.prepare(sql).all() as Row[];
      db.close();
    }
    return rows.map((r) => ({
      access_key_id: r.access_key_id,
      secret: r.secret,
      wrapped: Boolean(r.secret_wrapped),
    }));
  };
  const start = () => startTestPlatform({ dataDir, ...(postgresUrl ? { postgresUrl } : {}) });

  const admin = async (operation: string, body: Record<string, unknown>, creds?: Credentials) => {
    const c = creds ?? platform.credentials;
    return callAdmin({ endpoint: platform.endpoint, credentials: c, region: c.region, operation, body });
  };

  const ok = async (operation: string, body: Record<string, unknown>, creds?: Credentials) => {
    const res = await admin(operation, body, creds);
    expect({ operation, status: res.status, type: res.body['__type'] }).toEqual({
      operation,
      status: 200,
      type: undefined,
    });
    return res.body;
  };

  /** A new account with one user and an active access key, as credentials for AWS clients. */
  const tenant = async (userName: string): Promise<Credentials & { userName: string }> => {
    const account = (await ok('CreateAccount', { AccountName: `tenant-${userName}` }))['Account'] as {
      AccountId: string;
    };
    await ok('CreateUser', { AccountId: account.AccountId, UserName: userName });
    const key = (await ok('CreateAccessKey', { AccountId: account.AccountId, UserName: userName }))[
      'AccessKey'
    ] as { AccessKeyId: string; SecretAccessKey: string };
    return {
      accountId: account.AccountId,
      accessKeyId: key.AccessKeyId,
      secretAccessKey: key.SecretAccessKey,
      region: platform.credentials.region,
      userName,
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join('/tmp', 'symbolon-tenancy-'));
    dataDir = join(dir, 'data');
    if (POSTGRES) {
      pgDir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
      postgres = await startPostgres({ dir: pgDir });
      postgresUrl = await postgres.createDatabase('symbolon');
    }
    platform = await start();
  });

  afterAll(async () => {
    await platform?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  });

  it('should let a new account use its access key with the AWS SDK when the admin created them', async () => {
    const b = await tenant('alice');
    expect(b.accountId).toMatch(/^[1-9]\d{11}$/);
    expect(b.accountId).not.toBe(platform.credentials.accountId);
    const kms = platform.kms(b);
    const created = await kms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata?.AWSAccountId).toBe(b.accountId);
    const enc = await kms.send(
      new EncryptCommand({ KeyId: created.KeyMetadata!.KeyId!, Plaintext: Buffer.from('tenant b') }),
    );
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob! }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('tenant b');

    const theirs = await kms.send(new ListKeysCommand({}));
    const mine = await platform.kms().send(new ListKeysCommand({}));
    const mineIds = new Set(mine.Keys?.map((k) => k.KeyId));
    expect(theirs.Keys?.some((k) => mineIds.has(k.KeyId))).toBe(false);

    const users = await ok('ListUsers', { AccountId: b.accountId });
    expect(users['Users']).toEqual([
      expect.objectContaining({ UserName: 'alice', Arn: `arn:aws:iam::${b.accountId}:user/alice` }),
    ]);
  });

  it('should answer AccessDeniedException to every admin operation when the caller is not a platform admin', async () => {
    const b = await tenant('bob');
    for (const operation of [
      'CreateAccount',
      'CreateUser',
      'ListUsers',
      'DeleteUser',
      'CreateAccessKey',
      'ListAccessKeys',
      'UpdateAccessKey',
      'DeleteAccessKey',
    ]) {
      const res = await admin(operation, { AccountName: 'x', UserName: 'bob' }, b);
      expect({ operation, status: res.status, type: res.body['__type'] }).toEqual({
        operation,
        status: 400,
        type: 'AccessDeniedException',
      });
    }
  });

  it('should refuse a third access key with LimitExceededException when the user has two', async () => {
    const b = await tenant('carol');
    await ok('CreateAccessKey', { AccountId: b.accountId, UserName: 'carol' });
    const third = await admin('CreateAccessKey', { AccountId: b.accountId, UserName: 'carol' });
    expect(third.status).toBe(400);
    expect(third.body['__type']).toBe('LimitExceededException');
    const listed = (await ok('ListAccessKeys', { AccountId: b.accountId, UserName: 'carol' }))[
      'AccessKeyMetadata'
    ] as Record<string, unknown>[];
    expect(listed).toHaveLength(2);
    for (const k of listed) expect(k).not.toHaveProperty('SecretAccessKey');
  });

  it('should answer UnrecognizedClientException when the access key was deactivated, and work again when reactivated', async () => {
    const b = await tenant('dave');
    const kms = platform.kms(b);
    await kms.send(new ListKeysCommand({}));
    const key = { AccountId: b.accountId, UserName: 'dave', AccessKeyId: b.accessKeyId };
    await ok('UpdateAccessKey', { ...key, Status: 'Inactive' });
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await ok('UpdateAccessKey', { ...key, Status: 'Active' });
    await expect(kms.send(new ListKeysCommand({}))).resolves.toBeDefined();
    await ok('UpdateAccessKey', { ...key, Status: 'Inactive' });
    await ok('DeleteAccessKey', key);
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await ok('DeleteUser', { AccountId: b.accountId, UserName: 'dave' });
  });

  it('should answer AWS-shaped errors when the input is bad or names nothing', async () => {
    const bad = await admin('CreateUser', { UserName: 'has space' });
    expect(bad.body['__type']).toBe('ValidationException');
    const long = await admin('CreateUser', { UserName: 'u'.repeat(65) });
    expect(long.body['__type']).toBe('ValidationException');
    const internal = await admin('CreateUser', { AccountId: '000000000000', UserName: 'x' });
    expect(internal.body['__type']).toBe('ValidationException');
    const missing = await admin('CreateUser', { AccountId: '999999999999', UserName: 'x' });
    expect(missing.body['__type']).toBe('NoSuchEntityException');
    const status = await admin('UpdateAccessKey', {
      UserName: 'admin',
      AccessKeyId: platform.credentials.accessKeyId,
      Status: 'Paused',
    });
    expect(status.body['__type']).toBe('ValidationException');
    await ok('CreateUser', { UserName: 'erin' });
    const twice = await admin('CreateUser', { UserName: 'erin' });
    expect(twice.body['__type']).toBe('EntityAlreadyExistsException');
    const unknown = await admin('MakeCoffee', {});
    expect(unknown.body['__type']).toBe('UnknownOperationException');
  });

  it('should create an access key end to end when the CLI is run with the platform credentials file', async () => {
    const b = await tenant('frank');
    const cli = join(REPO_ROOT, 'dist/apps/cli/src/main.js');
    const common = ['--endpoint', platform.endpoint, '--credentials', platform.credentialsFile];
    await run('node', [
      cli,
      'admin',
      'create-user',
      '--account-id',
      b.accountId,
      '--user-name',
      'gina',
      ...common,
    ]);
    const { stdout } = await run('node', [
      cli,
      'admin',
      'create-access-key',
      '--account-id',
      b.accountId,
      '--user-name',
      'gina',
      ...common,
    ]);
    const created = JSON.parse(stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    const creds: Credentials = {
      accountId: b.accountId,
      accessKeyId: created.AccessKey.AccessKeyId,
      secretAccessKey: created.AccessKey.SecretAccessKey,
      region: platform.credentials.region,
    };
    await expect(platform.kms(creds).send(new ListKeysCommand({}))).resolves.toBeDefined();

    const listed = await run('node', [
      cli,
      'admin',
      'list-access-keys',
      '--account-id',
      b.accountId,
      '--user-name',
      'gina',
      ...common,
    ]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      AccessKeyMetadata: [{ AccessKeyId: creds.accessKeyId, Status: 'Active', UserName: 'gina' }],
    });

    const notAdmin = join(dir, 'frank.json');
    writeFileSync(notAdmin, JSON.stringify(b));
    await expect(
      run('node', [
        cli,
        'admin',
        'create-account',
        '--name',
        'x',
        '--endpoint',
        platform.endpoint,
        '--credentials',
        notAdmin,
      ]),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('AccessDeniedException') });
  });

  it('should keep no plaintext secret in the gateway database when keys were created', async () => {
    const b = await tenant('harry');
    const rows = await storedKeys();
    expect(rows.map((r) => r.access_key_id)).toEqual(
      expect.arrayContaining([b.accessKeyId, platform.credentials.accessKeyId]),
    );
    for (const row of rows) {
      expect(row.wrapped).toBe(true);
      expect(row.secret).not.toContain(b.secretAccessKey);
      expect(row.secret).not.toContain(platform.credentials.secretAccessKey);
    }
    if (!POSTGRES) {
      expect(databaseHolds(dbFiles(), b.accessKeyId)).toBe(true);
      expect(databaseHolds(dbFiles(), b.secretAccessKey)).toBe(false);
      expect(databaseHolds(dbFiles(), platform.credentials.secretAccessKey)).toBe(false);
    }
  });

  it('should wrap a secret stored in plaintext when the gateway starts again', async () => {
    const b = await tenant('iris');
    await platform.stop({ keepData: true });
    const legacy = { id: 'AKIALEGACYLEGACY2345', secret: 'legacy-plaintext-secret-0123456789abcdef' };
    const insert = `INSERT INTO access_keys (access_key_id, account_id, principal_arn, secret, secret_wrapped, status, created_at)
      SELECT $1, account_id, principal_arn, $2, false, 'Active', created_at FROM access_keys WHERE access_key_id = $3`;
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query('SET search_path TO gateway');
      await client.query(insert, [legacy.id, legacy.secret, b.accessKeyId]);
      await client.end();
    } else {
      const db = new Database(join(dataDir, 'db', 'gateway.sqlite'));
      db.prepare(insert.replace(/\$\d/g, '?')).run(legacy.id, legacy.secret, b.accessKeyId);
      db.close();
      expect(databaseHolds(dbFiles(), legacy.secret)).toBe(true);
    }

    platform = await start();
    const kms = platform.kms({ ...b, accessKeyId: legacy.id, secretAccessKey: legacy.secret });
    await expect(kms.send(new ListKeysCommand({}))).resolves.toBeDefined();
    if (!POSTGRES) expect(databaseHolds(dbFiles(), legacy.secret)).toBe(false);
    const rows = await storedKeys();
    expect(rows.map((r) => r.access_key_id)).toContain(legacy.id);
    for (const row of rows) {
      expect(row.wrapped).toBe(true);
      expect(row.secret).not.toContain(legacy.secret);
    }
  });
});
