import { openDataSource } from '@symbolon/platform';
import { startTestDatabase } from '@symbolon/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/**
 * Migration DomainPlacement1796400000000 on an installation from before placement (SQLite, or PostgreSQL when
 * SYMBOLON_TEST_DB=postgres): its one domain becomes the default domain, named `default`, and every existing key is
 * placed in it, so the keys go on being served by the same tokens.
 */
const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { coordinatorEntities, coordinatorMigrations } = await import('../../src/app.module.js');
const { DomainPlacement1796400000000 } =
  await import('../../src/migrations/1796400000000-domainPlacement.js');

const LEGACY_DOMAIN = 'domain-0b5cbe53-6f0e-4f53-9b0e-0d1c2a3b4c5d';
const KEY_IDS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

describe(`DomainPlacement1796400000000 on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-placement-'));
  let stop: () => Promise<void> = async () => undefined;
  let url: string | undefined;
  const open = (migrations: typeof coordinatorMigrations): Promise<DataSource> =>
    openDataSource(
      {
        type: onPostgres ? 'postgres' : 'sqlite',
        path: join(dir, 'coordinator.sqlite'),
        ...(url !== undefined ? { url } : {}),
        schema: 'coordinator',
        migrate: true,
      },
      coordinatorEntities,
      migrations,
    );
  const table = (ds: DataSource, name: string) =>
    ds.driver.buildTableName(name, (ds.driver.options as { schema?: string }).schema);

  beforeAll(async () => {
    const db = await startTestDatabase('placement');
    stop = db.stop;
    url = db.postgresUrl;
  }, 120_000);

  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
    else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
  }, 60_000);

  it('should make the one domain of an older installation the default and place every key in it', async () => {
    const before = await open(coordinatorMigrations.filter((m) => m !== DomainPlacement1796400000000));
    const at = new Date('2026-01-02T03:04:05.000Z').toISOString().replace('T', ' ').replace('Z', '');
    await before.query(
      `INSERT INTO ${table(before, 'domain_states')} (domain_id, epoch, state, created_at)
       VALUES ('${LEGACY_DOMAIN}', 1, '{}', '${at}'), ('${LEGACY_DOMAIN}', 2, '{}', '${at}')`,
    );
    for (const id of KEY_IDS) {
      await before.query(
        `INSERT INTO ${table(before, 'keys')}
           (id, tenant_id, arn, description, key_state, key_usage, key_spec, origin, current_version, created_at)
         VALUES ('${id}', '111122223333', 'arn:${id}', '', 'Enabled', 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT',
                 'AWS_KMS', 1, '${at}')`,
      );
    }
    await before.destroy();

    const after = await open(coordinatorMigrations);
    try {
      const domains = (await after.query(
        `SELECT domain_id, name, labels, is_default FROM ${table(after, 'domains')}`,
      )) as { domain_id: string; name: string; labels: string; is_default: unknown }[];
      expect(domains.map((d) => [d.domain_id, d.name, d.labels, Boolean(d.is_default)])).toEqual([
        [LEGACY_DOMAIN, 'default', '{}', true],
      ]);
      const keys = (await after.query(`SELECT id, domain_id FROM ${table(after, 'keys')} ORDER BY id`)) as {
        id: string;
        domain_id: string;
      }[];
      expect(keys).toEqual(KEY_IDS.map((id) => ({ id, domain_id: LEGACY_DOMAIN })));
    } finally {
      await after.destroy();
    }
  }, 120_000);
});
