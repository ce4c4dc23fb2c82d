import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ListKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { type TestPlatform, onPostgres, startTestDatabase, startTestPlatform } from '@symbolon/testing';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The platform on its configured database (SQLite files by default; PostgreSQL when SYMBOLON_TEST_DB=postgres, as
 * .ci/run does): keys, EKTs and the domain survive a restart; the data is in that database.
 */

describe(`platform on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let platform: TestPlatform;
  let postgresUrl: string | undefined;
  let stopPostgres: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-int-'));

  beforeAll(async () => {
    const db = await startTestDatabase('platform');
    postgresUrl = db.postgresUrl;
    stopPostgres = () => db.stop();
    platform = await startTestPlatform({ dataDir, db: 'sqlite', postgresUrl });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await stopPostgres?.();
  }, 60_000);

  it('should keep keys and decrypt old ciphertexts when the platform restarts on the same database', async () => {
    const kms = platform.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'restart' }));
    const keyId = KeyMetadata!.KeyId!;
    const context = { tenant: 'acme', purpose: 'integration' };
    const enc = await kms.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: Buffer.from('survives a restart'),
        EncryptionContext: context,
      }),
    );
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    kms.destroy();

    await platform.stop();
    platform = await startTestPlatform({ dataDir, port: platform.port, db: 'sqlite', postgresUrl });
    const again = platform.kms();
    const dec = await again.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('survives a restart');
    const dkAgain = await again.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(Buffer.from(dkAgain.Plaintext!)).toEqual(Buffer.from(dk.Plaintext!));
    const listed = await again.send(new ListKeysCommand({}));
    expect(listed.Keys!.map((k) => k.KeyId)).toContain(keyId);
    const described = await again.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata!.KeyState).toBe('Enabled');
    again.destroy();
  }, 180_000);

  it('should answer NotFoundException when the key id is unknown to the database', async () => {
    const kms = platform.kms();
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    kms.destroy();
  });

  it('should store its rows in the configured database when running', async () => {
    if (onPostgres) {
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: postgresUrl });
      await client.connect();
      const keys = await client.query('SELECT count(*)::int AS n FROM coordinator.keys');
      const records = await client.query('SELECT count(*)::int AS n FROM audit.audit_records');
      const accounts = await client.query('SELECT count(*)::int AS n FROM gateway.accounts');
      await client.end();
      expect(keys.rows[0].n).toBeGreaterThanOrEqual(1);
      expect(records.rows[0].n).toBeGreaterThanOrEqual(1);
      expect(accounts.rows[0].n).toBe(1);
    } else {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(dataDir, 'db', 'coordinator.sqlite'), { readonly: true });
      const n = (db.prepare('SELECT count(*) AS n FROM keys').get() as { n: number }).n;
      db.close();
      expect(n).toBeGreaterThanOrEqual(1);
    }
  });

  it('should serve /health and request metrics on every service when running', async () => {
    const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as {
      metricsPorts: Record<string, number>;
    };
    expect(Object.keys(runtime.metricsPorts).sort()).toEqual([
      'audit',
      'coordinator',
      'gateway',
      'hsm-1',
      'policy',
      'storage',
    ]);
    for (const [service, port] of Object.entries(runtime.metricsPorts)) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect({ service, status: health.status }).toEqual({ service, status: 200 });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      // hsm-1, hsm-2 ...: every hsm node exports the hsm service's metrics.
      const app = service.replace(/-\d+$/, '');
      expect(metrics).toContain(`kms_${app}_requests_total`);
      expect(metrics).toContain(`# TYPE kms_${app}_request_duration_seconds histogram`);
    }
    const gateway = await (await fetch(`http://127.0.0.1:${runtime.metricsPorts['gateway']}/metrics`)).text();
    expect(gateway).toMatch(/kms_gateway_requests_total\{operation="Decrypt",outcome="ok"\} [1-9]/);
  });
});
