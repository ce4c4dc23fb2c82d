/**
 * The one-shot migration of a PostgreSQL deployment (compose's `migrate`, the chart's hook Job): it brings every
 * service's schema up to date, twice in a row without harm, and the platform then runs without migrating itself.
 */
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type LocalPostgres, startPostgres } from '@symbolon/platform';
import { startTestPlatform } from '@symbolon/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

jest.setTimeout(240_000);

const MIGRATE = join(process.cwd(), 'dist', 'deploy', 'migrate', 'migrate.js');
let dir: string;
let server: LocalPostgres;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
  server = await startPostgres({ dir });
  url = await server.createDatabase('migrate');
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const migrate = (env: Record<string, string>) =>
  execFileSync(process.execPath, [MIGRATE], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: 'pipe',
  });

async function tables(): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ t: string }>(
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
       WHERE table_schema IN ('gateway', 'coordinator', 'policy', 'audit', 'storage') ORDER BY 1`,
    );
    return r.rows.map((x) => x.t);
  } finally {
    await client.end();
  }
}

describe('deploy/migrate', () => {
  it('should create every service schema and then find nothing left to do when run again with the URL in a file', async () => {
    const first = migrate({ SYMBOLON_DB_URL: url });
    expect(first).toContain('schema policy: up to date');
    const after = await tables();
    for (const t of [
      'gateway.users',
      'coordinator.keys',
      'policy.grants',
      'audit.audit_records',
      'storage.objects',
    ]) {
      expect(after).toContain(t);
    }
    // The second run reads the URL from a file, as a container with a mounted secret does.
    const urlFile = join(dir, 'db-url');
    writeFileSync(urlFile, `${url}\n`, { mode: 0o600 });
    expect(migrate({ SYMBOLON_DB_URL: '', SYMBOLON_DB_URL_FILE: urlFile })).toContain(
      'schema audit: up to date',
    );
    expect(await tables()).toEqual(after);
  });

  it('should exit non-zero with the reason when no database URL is given', () => {
    let out = '';
    try {
      migrate({ SYMBOLON_DB_URL: '' });
    } catch (e) {
      out = String((e as { stderr?: string }).stderr);
    }
    expect(out).toContain('SYMBOLON_DB_URL (postgres://...) is required');
  });

  it('should serve requests from a platform that does not migrate itself after the migration ran', async () => {
    const platform = await startTestPlatform({
      db: 'postgres',
      postgresUrl: url,
      env: { SYMBOLON_DB_MIGRATE: 'false' },
    });
    try {
      const kms = platform.kms();
      const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('Enabled');
    } finally {
      await platform.stop();
    }
  });
});
