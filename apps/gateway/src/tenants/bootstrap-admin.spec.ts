import { jest } from '@jest/globals';
import { logger } from '@symbolon/platform';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InMemoryAccessKeys, asFake } from '../../../../libs/testing/src/fakes/index.js';
import type { AccessKeyRepository } from './access-key.repository.js';
import type { AccessKeyEntity, AccountEntity } from './account.entity.js';
import { bootstrapAdmin, newAccessKeyId, newAccountId } from './bootstrap-admin.js';

const ACCESS_KEY_ID = /^AKIA[ABCDEFGHIJKLMNOPQRSTUVWXYZ234567]{16}$/;

describe('newAccessKeyId', () => {
  it('should be AKIA and 16 characters of the base32 alphabet when generated', () => {
    const ids = Array.from({ length: 500 }, () => newAccessKeyId());
    for (const id of ids) expect(id).toMatch(ACCESS_KEY_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should use the whole base32 alphabet when many ids are generated', () => {
    const seen = new Set(Array.from({ length: 500 }, () => newAccessKeyId().slice(4)).join(''));
    expect([...seen].sort().join('')).toBe('234567ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });
});

describe('newAccountId', () => {
  it('should be 12 digits without a leading zero when generated', () => {
    for (let i = 0; i < 500; i++) expect(newAccountId()).toMatch(/^[1-9]\d{11}$/);
  });
});

describe('bootstrapAdmin', () => {
  let dir: string;
  let store: InMemoryAccessKeys<AccountEntity, AccessKeyEntity>;
  let repo: AccessKeyRepository;
  let logged: unknown[][];

  beforeEach(() => {
    logged = [];
    const record = (...args: unknown[]) => void logged.push(args);
    jest.spyOn(logger, 'info').mockImplementation(record as typeof logger.info);
    jest.spyOn(logger, 'warn').mockImplementation(record as typeof logger.warn);
    dir = mkdtempSync(join(tmpdir(), 'symbolon-bootstrap-'));
    store = new InMemoryAccessKeys<AccountEntity, AccessKeyEntity>();
    repo = asFake<AccessKeyRepository>(store);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should create an account, an active admin key and a 0600 credentials file when no account exists', async () => {
    const file = join(dir, 'nested', 'credentials.json');
    const creds = await bootstrapAdmin(repo, 'eu-west-1', file);

    expect(creds).toBeDefined();
    expect(creds!.accessKeyId).toMatch(ACCESS_KEY_ID);
    expect(creds!.accountId).toMatch(/^\d{12}$/);
    expect(Buffer.from(creds!.secretAccessKey, 'base64')).toHaveLength(30);
    expect(creds!.region).toBe('eu-west-1');

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written).sort()).toEqual(['accessKeyId', 'accountId', 'region', 'secretAccessKey']);
    expect(written).toEqual(creds);

    expect([...store.accounts.keys()]).toEqual([creds!.accountId]);
    expect(await store.findActive(creds!.accessKeyId)).toEqual({
      accessKeyId: creds!.accessKeyId,
      accountId: creds!.accountId,
      principalArn: `arn:aws:iam::${creds!.accountId}:user/admin`,
      secret: creds!.secretAccessKey,
    });
  });

  it('should log the account and access key id but never the secret when it creates the admin', async () => {
    const creds = await bootstrapAdmin(repo, 'us-east-1', join(dir, 'credentials.json'));
    const text = JSON.stringify(logged);
    expect(text).toContain(creds!.accessKeyId);
    expect(text).not.toContain(creds!.secretAccessKey);
  });

  it('should do nothing when an account already exists', async () => {
    const file = join(dir, 'credentials.json');
    const first = await bootstrapAdmin(repo, 'us-east-1', file);
    const before = readFileSync(file, 'utf8');

    expect(await bootstrapAdmin(repo, 'us-east-1', file)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.accounts.size).toBe(1);
    expect(store.accessKeys.size).toBe(1);
    expect(JSON.parse(before)).toEqual(first);
  });

  it('should not re-create a lost credentials file when an account already exists', async () => {
    const file = join(dir, 'credentials.json');
    await bootstrapAdmin(repo, 'us-east-1', file);
    rmSync(file);
    expect(await bootstrapAdmin(repo, 'us-east-1', file)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('should create the account without writing a file when no credentials file is configured', async () => {
    const creds = await bootstrapAdmin(repo, 'us-east-1', '');
    expect(creds).toBeDefined();
    expect(store.accounts.size).toBe(1);
  });

  it('should replace a stale credentials file with the new credentials when no account exists', async () => {
    const file = join(dir, 'credentials.json');
    writeFileSync(file, '{"accessKeyId":"AKIASTALESTALESTALE0"}', { mode: 0o600 });
    const creds = await bootstrapAdmin(repo, 'us-east-1', file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(creds);
  });

  it('should leave the credentials file at mode 0600 when a stale file had mode 0644', async () => {
    const file = join(dir, 'credentials.json');
    writeFileSync(file, '{"accessKeyId":"AKIASTALESTALESTALE0"}', { mode: 0o644 });
    chmodSync(file, 0o644); // the umask may have narrowed the mode given at creation
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const creds = await bootstrapAdmin(repo, 'us-east-1', file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(creds);
  });
});
