import { ErrorCodes } from '@symbolon/contracts';
import { openDataSource, startPostgres } from '@symbolon/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/**
 * The alias table's uniqueness on the real database (SQLite, or PostgreSQL when SYMBOLON_TEST_DB=postgres): inserts of
 * one name race straight into the primary key, with no pre-check in front, and every loser is ALREADY_EXISTS.
 */
const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
// The entities' timestamp column type is chosen from this when their module loads: set it before importing them.
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { coordinatorEntities, coordinatorMigrations } = await import('../../src/app.module.js');
const { AliasRepository } = await import('../../src/aliases/alias.repository.js');

describe(`AliasRepository on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-alias-repo-'));
  let ds: DataSource;
  let stopPostgres: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let url: string | undefined;
    if (onPostgres) {
      const pgDir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
      const pg = await startPostgres({ dir: pgDir });
      url = await pg.createDatabase('aliases');
      stopPostgres = async () => {
        await pg.stop();
        rmSync(pgDir, { recursive: true, force: true });
      };
    }
    ds = await openDataSource(
      {
        type: onPostgres ? 'postgres' : 'sqlite',
        path: join(dir, 'coordinator.sqlite'),
        url,
        schema: 'coordinator',
        migrate: true,
      },
      coordinatorEntities,
      coordinatorMigrations,
    );
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await stopPostgres?.();
    rmSync(dir, { recursive: true, force: true });
    if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
    else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
  }, 60_000);

  const row = (tenantId: string, aliasName: string, targetKeyId: string) => {
    const now = new Date();
    return { tenantId, aliasName, targetKeyId, createdAt: now, updatedAt: now };
  };

  it('should let exactly one of ten concurrent inserts of one name succeed and answer ALREADY_EXISTS to the rest', async () => {
    const repo = new AliasRepository(ds);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        repo.create(row('111111111111', 'alias/race', `00000000-0000-4000-8000-00000000000${i}`)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: ErrorCodes.ALREADY_EXISTS });
    }
  });

  it('should keep one name per account and list, retarget and delete only within the account', async () => {
    const repo = new AliasRepository(ds);
    const key = '00000000-0000-4000-8000-0000000000aa';
    await repo.create(row('111111111111', 'alias/same', key));
    await repo.create(row('222222222222', 'alias/same', key));
    expect(await repo.retarget('333333333333', 'alias/same', key, new Date())).toBe(false);
    expect(await repo.delete('333333333333', 'alias/same')).toBe(false);
    expect((await repo.list('222222222222', 10)).map((a) => a.aliasName)).toEqual(['alias/same']);
    expect((await repo.list('111111111111', 10, { targetKeyId: key })).map((a) => a.aliasName)).toEqual([
      'alias/same',
    ]);
    expect(await repo.delete('222222222222', 'alias/same')).toBe(true);
    expect(await repo.find('222222222222', 'alias/same')).toBeNull();
    expect(await repo.find('111111111111', 'alias/same')).not.toBeNull();
  });
});
