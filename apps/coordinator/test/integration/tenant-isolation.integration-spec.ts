import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import {
  type Credentials,
  type TestPlatform,
  onPostgres,
  startTestDatabase,
  startTestPlatform,
} from '@symbolon/testing';
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Two tenants on one platform, through @aws-sdk/client-kms. Tenant A is the account the platform creates on its first
 * start; tenant B is an account and access key inserted into the gateway's tables while the platform is stopped (the
 * admin API for tenants is not there yet). B then tries every key operation on A's key by key id, key ARN, A's alias
 * name and alias ARN. AWS's answers: a key id or alias B cannot see is NotFoundException, exactly as for one that does
 * not exist; a foreign key ARN without a grant is AccessDeniedException; a blob of a foreign key is
 * InvalidCiphertextException (ADR 0002). Nothing B does changes A's key or alias.
 */

type Target = { id: string; form: 'key id' | 'key ARN' | 'alias name' | 'alias ARN' };
/** `blob` is A's blob when `keyId` names A's key, and the same blob re-labelled to the absent key otherwise. */
type Attempt = (kms: KMSClient, keyId: string, blob: Uint8Array) => Promise<unknown>;

const outcomeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
};

describe(`tenant isolation on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let platform: TestPlatform;
  let a: KMSClient;
  let b: KMSClient;
  let credsB: Credentials;
  let postgresUrl: string | undefined;
  let stopPostgres: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-tenants-'));

  /** A's key, alias and a blob under A's key; B's own key and a blob under it. */
  let keyId: string;
  let keyArn: string;
  let aliasName: string;
  let aliasArn: string;
  let blobA: Uint8Array;
  let keyB: string;
  let blobB: Uint8Array;

  const insertTenant = async (creds: Credentials): Promise<void> => {
    const principal = `arn:aws:iam::${creds.accountId}:user/tenant-b`;
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query('INSERT INTO gateway.accounts (id, name, created_at) VALUES ($1, $2, now())', [
          creds.accountId,
          'tenant-b',
        ]);
        await client.query(
          `INSERT INTO gateway.access_keys (access_key_id, account_id, principal_arn, secret, status, created_at)
           VALUES ($1, $2, $3, $4, 'Active', now())`,
          [creds.accessKeyId, creds.accountId, principal, creds.secretAccessKey],
        );
        // A user not yet seeded: the gateway gives it the default identity policy when it starts.
        await client.query(
          `INSERT INTO gateway.users (account_id, user_name, arn, is_admin, identity_seeded, created_at)
           VALUES ($1, 'tenant-b', $2, false, false, now())`,
          [creds.accountId, principal],
        );
      } finally {
        await client.end();
      }
      return;
    }
    const db = new Database(join(dataDir, 'db', 'gateway.sqlite'));
    try {
      // created_at copied from the first account's row, so its format is the one the gateway wrote.
      db.prepare(
        'INSERT INTO accounts (id, name, created_at) SELECT ?, ?, created_at FROM accounts LIMIT 1',
      ).run(creds.accountId, 'tenant-b');
      db.prepare(
        `INSERT INTO access_keys (access_key_id, account_id, principal_arn, secret, status, created_at)
         SELECT ?, ?, ?, ?, 'Active', created_at FROM accounts WHERE id = ?`,
      ).run(creds.accessKeyId, creds.accountId, principal, creds.secretAccessKey, creds.accountId);
      // A user not yet seeded: the gateway gives it the default identity policy when it starts.
      db.prepare(
        `INSERT INTO users (account_id, user_name, arn, is_admin, identity_seeded, created_at)
         SELECT ?, 'tenant-b', ?, 0, 0, created_at FROM accounts WHERE id = ?`,
      ).run(creds.accountId, principal, creds.accountId);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const db = await startTestDatabase('tenants');
    postgresUrl = db.postgresUrl;
    stopPostgres = () => db.stop();
    const first = await startTestPlatform({ dataDir, db: 'sqlite', postgresUrl });
    await first.stop({ keepData: true });
    const accountB = first.credentials.accountId === '222222222222' ? '333333333333' : '222222222222';
    credsB = {
      accessKeyId: `AKIATENANTB${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      region: first.credentials.region,
      accountId: accountB,
    };
    await insertTenant(credsB);
    platform = await startTestPlatform({ dataDir, port: first.port, db: 'sqlite', postgresUrl });
    a = platform.kms();
    b = platform.kms(credsB);

    const created = await a.send(new CreateKeyCommand({ Description: 'tenant A' }));
    keyId = created.KeyMetadata!.KeyId!;
    keyArn = created.KeyMetadata!.Arn!;
    aliasName = `alias/tenant-a-${randomUUID()}`;
    await a.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    const aliases = await a.send(new ListAliasesCommand({ KeyId: keyId }));
    aliasArn = aliases.Aliases!.find((x) => x.AliasName === aliasName)!.AliasArn!;
    await a.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'owner', TagValue: 'a' }] }));
    blobA = (await a.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('tenant A data') })))
      .CiphertextBlob!;

    keyB = (await b.send(new CreateKeyCommand({ Description: 'tenant B' }))).KeyMetadata!.KeyId!;
    blobB = (await b.send(new EncryptCommand({ KeyId: keyB, Plaintext: Buffer.from('tenant B data') })))
      .CiphertextBlob!;
  }, 300_000);

  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await platform?.stop();
    await stopPostgres?.();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Every key operation, with the identifier under test in the place that names the key. */
  const ATTEMPTS: Readonly<Record<string, Attempt>> = {
    Encrypt: (kms, id) => kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') })),
    Decrypt: (kms, id, blob) => kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: id })),
    GenerateDataKey: (kms, id) => kms.send(new GenerateDataKeyCommand({ KeyId: id, KeySpec: 'AES_256' })),
    GenerateDataKeyWithoutPlaintext: (kms, id) =>
      kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: id, KeySpec: 'AES_256' })),
    'ReEncrypt (source)': (kms, id, blob) =>
      kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: id, DestinationKeyId: keyB })),
    'ReEncrypt (destination)': (kms, id) =>
      kms.send(new ReEncryptCommand({ CiphertextBlob: blobB, SourceKeyId: keyB, DestinationKeyId: id })),
    DescribeKey: (kms, id) => kms.send(new DescribeKeyCommand({ KeyId: id })),
    UpdateKeyDescription: (kms, id) =>
      kms.send(new UpdateKeyDescriptionCommand({ KeyId: id, Description: 'taken over' })),
    EnableKey: (kms, id) => kms.send(new EnableKeyCommand({ KeyId: id })),
    DisableKey: (kms, id) => kms.send(new DisableKeyCommand({ KeyId: id })),
    TagResource: (kms, id) =>
      kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'owner', TagValue: 'b' }] })),
    UntagResource: (kms, id) => kms.send(new UntagResourceCommand({ KeyId: id, TagKeys: ['owner'] })),
    ListResourceTags: (kms, id) => kms.send(new ListResourceTagsCommand({ KeyId: id })),
    'CreateAlias (target)': (kms, id) =>
      kms.send(new CreateAliasCommand({ AliasName: `alias/b-${randomUUID()}`, TargetKeyId: id })),
    'UpdateAlias (target)': async (kms, id) => {
      const AliasName = `alias/b-${randomUUID()}`;
      await kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyB }));
      return kms.send(new UpdateAliasCommand({ AliasName, TargetKeyId: id }));
    },
    'ListAliases (KeyId)': (kms, id) => kms.send(new ListAliasesCommand({ KeyId: id })),
    EnableKeyRotation: (kms, id) => kms.send(new EnableKeyRotationCommand({ KeyId: id })),
    DisableKeyRotation: (kms, id) => kms.send(new DisableKeyRotationCommand({ KeyId: id })),
    GetKeyRotationStatus: (kms, id) => kms.send(new GetKeyRotationStatusCommand({ KeyId: id })),
    RotateKeyOnDemand: (kms, id) => kms.send(new RotateKeyOnDemandCommand({ KeyId: id })),
    ListKeyRotations: (kms, id) => kms.send(new ListKeyRotationsCommand({ KeyId: id })),
    ScheduleKeyDeletion: (kms, id) =>
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 })),
    CancelKeyDeletion: (kms, id) => kms.send(new CancelKeyDeletionCommand({ KeyId: id })),
  };

  /** A's identifier of each form, and the same form naming nothing (what B would see if A's did not exist). */
  const targets = (): { mine: Target; absent: Target; absentBlob: Uint8Array }[] => {
    const absentKey = randomUUID();
    // The blob format names its key in bytes 1..17 (docs/formats/ciphertext-blob.md): the same blob naming a key that
    // does not exist is what B would hold if A's key were absent.
    const absentBlob = Buffer.from(blobA);
    Buffer.from(absentKey.replaceAll('-', ''), 'hex').copy(absentBlob, 1);
    const absentAlias = `alias/absent-${randomUUID()}`;
    const accountA = platform.credentials.accountId;
    const region = platform.credentials.region;
    return [
      { mine: { id: keyId, form: 'key id' }, absent: { id: absentKey, form: 'key id' }, absentBlob },
      {
        mine: { id: keyArn, form: 'key ARN' },
        absent: { id: `arn:aws:kms:${region}:${accountA}:key/${absentKey}`, form: 'key ARN' },
        absentBlob,
      },
      {
        mine: { id: aliasName, form: 'alias name' },
        absent: { id: absentAlias, form: 'alias name' },
        absentBlob,
      },
      {
        mine: { id: aliasArn, form: 'alias ARN' },
        absent: { id: `arn:aws:kms:${region}:${accountA}:${absentAlias}`, form: 'alias ARN' },
        absentBlob,
      },
    ];
  };

  it('should let tenant B use its own key when its access key was inserted while the platform was stopped', async () => {
    const dec = await b.send(new DecryptCommand({ CiphertextBlob: blobB }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('tenant B data');
    expect(credsB.accountId).not.toBe(platform.credentials.accountId);
  });

  it.each(Object.keys(ATTEMPTS))(
    "should refuse tenant B's %s on tenant A's key by every identifier when B holds no grant",
    async (operation) => {
      const attempt = ATTEMPTS[operation]!;
      for (const { mine, absent, absentBlob } of targets()) {
        const onA = await outcomeOf(attempt(b, mine.id, blobA));
        const onAbsent = await outcomeOf(attempt(b, absent.id, absentBlob));
        // Never a success, and never more than B would learn if A's key or alias did not exist.
        expect({ operation, form: mine.form, onA }).not.toEqual({ operation, form: mine.form, onA: 'ok' });
        expect({ operation, form: mine.form, onA }).toEqual({ operation, form: mine.form, onA: onAbsent });
        if (mine.form === 'key id')
          expect({ operation, form: mine.form, onA }).toEqual({
            operation,
            form: mine.form,
            onA: 'NotFoundException',
          });
        if (mine.form === 'key ARN')
          expect({ operation, form: mine.form, onA }).toEqual({
            operation,
            form: mine.form,
            onA: 'AccessDeniedException',
          });
      }
    },
    60_000,
  );

  it("should answer NotFoundException to tenant B's alias operations on A's alias name as for an absent alias", async () => {
    const absent = `alias/absent-${randomUUID()}`;
    for (const [operation, run] of Object.entries({
      DeleteAlias: (name: string) => b.send(new DeleteAliasCommand({ AliasName: name })),
      UpdateAlias: (name: string) => b.send(new UpdateAliasCommand({ AliasName: name, TargetKeyId: keyB })),
    })) {
      const onA = await outcomeOf(run(aliasName));
      const onAbsent = await outcomeOf(run(absent));
      expect({ operation, onA, onAbsent }).toEqual({
        operation,
        onA: 'NotFoundException',
        onAbsent: 'NotFoundException',
      });
    }
  });

  it("should let tenant B create an alias with the same name as A's without touching A's alias", async () => {
    await b.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyB }));
    const viaB = await b.send(new DescribeKeyCommand({ KeyId: aliasName }));
    expect(viaB.KeyMetadata!.KeyId).toBe(keyB);
    const viaA = await a.send(new DescribeKeyCommand({ KeyId: aliasName }));
    expect(viaA.KeyMetadata!.KeyId).toBe(keyId);
    await b.send(new DeleteAliasCommand({ AliasName: aliasName }));
  });

  it("should answer InvalidCiphertextException when tenant B decrypts a blob of A's key", async () => {
    const err = await outcomeOf(b.send(new DecryptCommand({ CiphertextBlob: blobA })));
    expect(err).toBe('InvalidCiphertextException');
  });

  it("should never list tenant A's keys or aliases when tenant B lists its own", async () => {
    const keys = await b.send(new ListKeysCommand({}));
    const ids = keys.Keys!.map((k) => k.KeyId);
    expect(ids).toContain(keyB);
    expect(ids).not.toContain(keyId);
    expect(keys.Keys!.every((k) => k.KeyArn!.includes(`:${credsB.accountId}:`))).toBe(true);
    const aliases = await b.send(new ListAliasesCommand({}));
    expect(aliases.Aliases!.map((x) => x.TargetKeyId)).not.toContain(keyId);
    expect(aliases.Aliases!.map((x) => x.AliasArn)).not.toContain(aliasArn);
  });

  it("should leave tenant A's key, tags, rotation and alias unchanged when tenant B has tried everything", async () => {
    const described = (await a.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect({
      state: described.KeyState,
      description: described.Description,
      deletion: described.DeletionDate,
    }).toEqual({ state: 'Enabled', description: 'tenant A', deletion: undefined });
    const tags = await a.send(new ListResourceTagsCommand({ KeyId: keyId }));
    expect(tags.Tags).toEqual([{ TagKey: 'owner', TagValue: 'a' }]);
    const rotation = await a.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(rotation.KeyRotationEnabled).toBe(false);
    const rotations = await a.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    expect(rotations.Rotations ?? []).toEqual([]);
    const aliases = await a.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(aliases.Aliases!.map((x) => x.AliasName)).toEqual([aliasName]);
    const dec = await a.send(new DecryptCommand({ CiphertextBlob: blobA }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('tenant A data');
  });
});
