import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  DisabledException,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidMarkerException,
  type KMSClient,
  KMSInvalidStateException,
  LimitExceededException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  NotFoundException,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { MAX_ON_DEMAND_ROTATIONS } from '@symbolon/contracts';
import { type TestPlatform, onPostgres, startTestDatabase, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Rotation, scheduled deletion and ReEncrypt through @aws-sdk/client-kms against the platform as `npm start` runs it,
 * on SQLite or (SYMBOLON_TEST_DB=postgres) PostgreSQL. The key lifecycle job runs every 300 ms here; the deletion test
 * moves a key's deletion date into the past in the database, as the passing of its waiting period would.
 */
const JOB_INTERVAL_MS = 300;

describe(`key rotation, deletion and ReEncrypt on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let platform: TestPlatform;
  let kms: KMSClient;
  let postgresUrl: string | undefined;
  let stopPostgres: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await startTestDatabase('lifecycle');
    postgresUrl = db.postgresUrl;
    stopPostgres = () => db.stop();
    platform = await startTestPlatform({
      db: 'sqlite',
      postgresUrl,
      env: { SYMBOLON_JOB_INTERVAL_MS: String(JOB_INTERVAL_MS) },
    });
    kms = platform.kms();
  }, 180_000);

  afterAll(async () => {
    kms?.destroy();
    await platform?.stop();
    await stopPostgres?.();
  }, 60_000);

  const newKey = async (description = 'lifecycle') =>
    (await kms.send(new CreateKeyCommand({ Description: description }))).KeyMetadata!;

  const encrypt = async (keyId: string, text: string, context?: Record<string, string>) =>
    (
      await kms.send(
        new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text), EncryptionContext: context }),
      )
    ).CiphertextBlob!;

  const decrypt = async (blob: Uint8Array, context?: Record<string, string>) => {
    const r = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    return { text: Buffer.from(r.Plaintext!).toString(), keyId: r.KeyId };
  };

  /** Sets the key's deletion date in the past, directly in the coordinator's database. */
  async function expireDeletionWindow(keyId: string): Promise<void> {
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(
          `UPDATE coordinator.keys SET deletion_date = now() - interval '1 day' WHERE id = $1`,
          [keyId],
        );
      } finally {
        await client.end();
      }
      return;
    }
    const db = new Database(join(platform.dataDir, 'db', 'coordinator.sqlite'));
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare(`UPDATE keys SET deletion_date = '2000-01-01 00:00:00.000' WHERE id = ?`).run(keyId);
    } finally {
      db.close();
    }
  }

  async function rejection(p: Promise<unknown>): Promise<Error & { name: string }> {
    try {
      await p;
    } catch (e) {
      return e as Error & { name: string };
    }
    throw new Error('expected the request to fail');
  }

  it('should encrypt under each new version and decrypt ciphertexts of every version after two on-demand rotations', async () => {
    const { KeyId, Arn } = await newKey('rotated twice');
    const blobs = [await encrypt(KeyId!, 'version 1')];
    for (const n of [2, 3]) {
      expect(await kms.send(new RotateKeyOnDemandCommand({ KeyId: Arn }))).toMatchObject({ KeyId: Arn });
      blobs.push(await encrypt(KeyId!, `version ${n}`));
    }
    for (const [i, blob] of blobs.entries()) {
      expect(await decrypt(blob)).toEqual({ text: `version ${i + 1}`, keyId: Arn });
    }

    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(rotations.Truncated).toBe(false);
    expect(rotations.Rotations).toHaveLength(2);
    for (const r of rotations.Rotations!) {
      expect(r).toMatchObject({
        KeyId,
        RotationType: 'ON_DEMAND',
        KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(Math.abs(r.RotationDate!.getTime() - Date.now())).toBeLessThan(120_000);
    }
    expect(rotations.Rotations!.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);

    const all = await kms.send(
      new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect(all.Rotations).toHaveLength(3);
    expect(all.Rotations![0]!.RotationDate).toBeUndefined();

    const first = await kms.send(new ListKeyRotationsCommand({ KeyId, Limit: 1 }));
    expect(first).toMatchObject({ Truncated: true, NextMarker: expect.any(String) });
    const second = await kms.send(new ListKeyRotationsCommand({ KeyId, Limit: 1, Marker: first.NextMarker }));
    expect(second.Truncated).toBe(false);
    expect([...first.Rotations!, ...second.Rotations!]).toEqual(rotations.Rotations);
    expect(
      await rejection(kms.send(new ListKeyRotationsCommand({ KeyId, Marker: 'not-a-marker' }))),
    ).toBeInstanceOf(InvalidMarkerException);
  }, 60_000);

  it('should answer LimitExceededException after the allowed number of on-demand rotations of one key', async () => {
    const { KeyId } = await newKey('rotation limit');
    for (let i = 0; i < MAX_ON_DEMAND_ROTATIONS; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    expect(await rejection(kms.send(new RotateKeyOnDemandCommand({ KeyId })))).toBeInstanceOf(
      LimitExceededException,
    );
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId }))).Rotations).toHaveLength(
      MAX_ON_DEMAND_ROTATIONS,
    );
  }, 60_000);

  it('should show rotation status after EnableKeyRotation and DisableKeyRotation, with every bound of the period', async () => {
    const { KeyId, Arn } = await newKey('rotation status');
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).toMatchObject({
      KeyRotationEnabled: false,
      KeyId: Arn,
    });

    await kms.send(new EnableKeyRotationCommand({ KeyId }));
    const byDefault = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(byDefault).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const inDays = (byDefault.NextRotationDate!.getTime() - Date.now()) / 86_400_000;
    expect(inDays).toBeGreaterThan(364.9);
    expect(inDays).toBeLessThan(365.1);

    for (const days of [90, 2560]) {
      await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: days }));
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).RotationPeriodInDays).toBe(days);
    }
    for (const days of [89, 2561]) {
      const e = await rejection(
        kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: days })),
      );
      expect(e.name).toBe('ValidationException');
    }

    await kms.send(new DisableKeyRotationCommand({ KeyId }));
    const off = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(off.KeyRotationEnabled).toBe(false);
    expect(off.RotationPeriodInDays).toBeUndefined();
    expect(off.NextRotationDate).toBeUndefined();
  }, 60_000);

  it('should refuse use while pending deletion, show DeletionDate, and leave the key Disabled when cancelled', async () => {
    const { KeyId, Arn } = await newKey('scheduled then cancelled');
    const blob = await encrypt(KeyId!, 'before');
    for (const days of [6, 31]) {
      const e = await rejection(
        kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: days })),
      );
      expect(e.name).toBe('ValidationException');
    }
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    const inDays = (scheduled.DeletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(inDays).toBeGreaterThan(6.9);
    expect(inDays).toBeLessThan(7.1);

    expect(await rejection(encrypt(KeyId!, 'after'))).toBeInstanceOf(KMSInvalidStateException);
    expect(await rejection(decrypt(blob))).toBeInstanceOf(KMSInvalidStateException);
    expect(await rejection(kms.send(new RotateKeyOnDemandCommand({ KeyId })))).toBeInstanceOf(
      KMSInvalidStateException,
    );
    expect(
      await rejection(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 30 }))),
    ).toBeInstanceOf(KMSInvalidStateException);
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
    expect(KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      DeletionDate: scheduled.DeletionDate,
      PendingDeletionWindowInDays: 7,
    });

    expect(await kms.send(new CancelKeyDeletionCommand({ KeyId }))).toMatchObject({ KeyId: Arn });
    const after = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(after.KeyState).toBe('Disabled');
    expect(after.DeletionDate).toBeUndefined();
    expect(after.PendingDeletionWindowInDays).toBeUndefined();
    expect(await rejection(encrypt(KeyId!, 'after'))).toBeInstanceOf(DisabledException);
    expect(await rejection(kms.send(new CancelKeyDeletionCommand({ KeyId })))).toBeInstanceOf(
      KMSInvalidStateException,
    );

    const again = await kms.send(new ScheduleKeyDeletionCommand({ KeyId }));
    expect(again.PendingWindowInDays).toBe(30);
    await kms.send(new CancelKeyDeletionCommand({ KeyId }));
  }, 60_000);

  it('should delete the key with its versions when the deletion job finds its waiting period over', async () => {
    const { KeyId } = await newKey('deleted by the job');
    const blob = await encrypt(KeyId!, 'gone soon');
    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    const alias = `alias/deleted-by-job-${Date.now()}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyId }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    await expireDeletionWindow(KeyId!);
    const deadline = Date.now() + 20_000;
    let gone: unknown;
    while (Date.now() < deadline) {
      gone = await kms.send(new DescribeKeyCommand({ KeyId })).catch((e: unknown) => e);
      if (gone instanceof NotFoundException) break;
      await new Promise((r) => setTimeout(r, JOB_INTERVAL_MS));
    }
    expect(gone).toBeInstanceOf(NotFoundException);
    const aliases = (await kms.send(new ListAliasesCommand({ Limit: 100 }))).Aliases ?? [];
    expect(aliases.map((a) => a.AliasName)).not.toContain(alias);
    expect(await rejection(decrypt(blob))).toBeInstanceOf(InvalidCiphertextException);
    expect(await rejection(kms.send(new CancelKeyDeletionCommand({ KeyId })))).toBeInstanceOf(
      NotFoundException,
    );
  }, 60_000);

  it('should re-encrypt between two keys with their contexts, leaving the old blob readable under the old context', async () => {
    const source = await newKey('re-encrypt source');
    const destination = await newKey('re-encrypt destination');
    const sourceContext = { purpose: 'source' };
    const destinationContext = { purpose: 'destination', team: 'blue' };
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: destination.KeyId }));
    const old = await encrypt(source.KeyId!, 'moving house', sourceContext);

    const r = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: old,
        SourceEncryptionContext: sourceContext,
        DestinationKeyId: destination.Arn,
        DestinationEncryptionContext: destinationContext,
      }),
    );
    expect(r).toMatchObject({
      SourceKeyId: source.Arn,
      KeyId: destination.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
      DestinationKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const current = (await kms.send(new ListKeyRotationsCommand({ KeyId: destination.KeyId })))
      .Rotations![0]!;
    expect(r.DestinationKeyMaterialId).toBe(current.KeyMaterialId);
    expect(Buffer.from(r.CiphertextBlob!).equals(Buffer.from(old))).toBe(false);

    expect(await decrypt(r.CiphertextBlob!, destinationContext)).toEqual({
      text: 'moving house',
      keyId: destination.Arn,
    });
    expect(await decrypt(old, sourceContext)).toEqual({ text: 'moving house', keyId: source.Arn });
    expect(await rejection(decrypt(r.CiphertextBlob!, sourceContext))).toBeInstanceOf(
      InvalidCiphertextException,
    );
    expect(await rejection(decrypt(old, destinationContext))).toBeInstanceOf(InvalidCiphertextException);

    const withSource = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: old,
        SourceKeyId: source.KeyId,
        SourceEncryptionContext: sourceContext,
        DestinationKeyId: source.KeyId,
      }),
    );
    expect(await decrypt(withSource.CiphertextBlob!)).toEqual({ text: 'moving house', keyId: source.Arn });

    const wrongSource = kms.send(
      new ReEncryptCommand({
        CiphertextBlob: old,
        SourceKeyId: destination.KeyId,
        SourceEncryptionContext: sourceContext,
        DestinationKeyId: destination.KeyId,
      }),
    );
    expect(await rejection(wrongSource)).toBeInstanceOf(IncorrectKeyException);
    const wrongContext = kms.send(
      new ReEncryptCommand({ CiphertextBlob: old, DestinationKeyId: destination.KeyId }),
    );
    expect(await rejection(wrongContext)).toBeInstanceOf(InvalidCiphertextException);
  }, 60_000);

  it('should refuse ReEncrypt parameters beyond their bounds and into a disabled destination', async () => {
    const source = await newKey('re-encrypt bounds');
    const old = await encrypt(source.KeyId!, 'bounds');
    const tooLong = kms.send(
      new ReEncryptCommand({ CiphertextBlob: Buffer.alloc(6145, 1), DestinationKeyId: source.KeyId }),
    );
    expect((await rejection(tooLong)).name).toBe('ValidationException');
    const badKey = kms.send(
      new ReEncryptCommand({ CiphertextBlob: old, DestinationKeyId: 'k'.repeat(2049) }),
    );
    expect((await rejection(badKey)).name).toBe('ValidationException');
    const asymmetric = kms.send(
      new ReEncryptCommand({
        CiphertextBlob: old,
        DestinationKeyId: source.KeyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect((await rejection(asymmetric)).name).toBe('InvalidKeyUsageException');

    const destination = await newKey('disabled destination');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: destination.KeyId, PendingWindowInDays: 7 }));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: destination.KeyId }));
    const disabled = kms.send(
      new ReEncryptCommand({ CiphertextBlob: old, DestinationKeyId: destination.KeyId }),
    );
    expect(await rejection(disabled)).toBeInstanceOf(DisabledException);
    const limits = [0, 1001].map((Limit) =>
      rejection(kms.send(new ListKeyRotationsCommand({ KeyId: source.KeyId, Limit }))),
    );
    for (const e of await Promise.all(limits)) expect(e.name).toBe('ValidationException');
    expect(
      (await kms.send(new ListKeyRotationsCommand({ KeyId: source.KeyId, Limit: 1000 }))).Rotations,
    ).toEqual([]);
  }, 60_000);
});
