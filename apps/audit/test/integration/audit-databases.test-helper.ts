/**
 * Real audit databases for the integration specs: SQLite files by default, PostgreSQL when SYMBOLON_TEST_DB=postgres
 * (one private server, a database per call), each opened and migrated the way the service opens it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RequestHandledEvent } from '@symbolon/contracts';
import { type LocalPostgres, openDataSource, startPostgres } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

export const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
// The entities' timestamp column type is chosen from this when their module loads: set it before importing them.
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { auditEntities, auditMigrations } = await import('../../src/app.module.js');

export const TENANT = '111122223333';

/** A handled request as the gateway publishes it: a successful Encrypt of TENANT unless told otherwise. */
export function requestEvent(overrides: Partial<RequestHandledEvent> = {}): RequestHandledEvent {
  return {
    requestId: randomUUID(),
    time: new Date().toISOString(),
    tenantId: TENANT,
    principal: `arn:aws:iam::${TENANT}:user/alice`,
    accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
    sourceIp: '127.0.0.1',
    operation: 'Encrypt',
    keyArn: `arn:aws:kms:us-east-1:${TENANT}:key/00000000-0000-4000-8000-000000000001`,
    keyVersion: 1,
    encryptionContext: { purpose: 'integration' },
    decision: null,
    outcome: 'ok',
    httpStatus: 200,
    ...overrides,
  };
}

export interface AuditDatabase {
  /** A new connection (pool) to the database, as another audit replica would open it. */
  connect(): Promise<DataSource>;
  /** SQLite file, or PostgreSQL URL. */
  location: string;
}

/** Call start() in beforeAll and stop() in afterAll; newDatabase() gives each test a database of its own. */
export function auditDatabases(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `symbolon-${prefix}-`));
  // Directly under /tmp: the unix socket path must stay short.
  const pgDir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
  let postgres: LocalPostgres | undefined;
  let count = 0;
  const opened: DataSource[] = [];
  return {
    async start(): Promise<void> {
      if (onPostgres) postgres = await startPostgres({ dir: pgDir });
    },
    async stop(): Promise<void> {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
      if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
      else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
    },
    async newDatabase(): Promise<AuditDatabase> {
      count += 1;
      const name = `${prefix.replace(/-/g, '_')}_${count}`;
      const location = postgres ? await postgres.createDatabase(name) : join(dir, `${name}.sqlite`);
      const connect = async (): Promise<DataSource> => {
        const ds = await openDataSource(
          postgres
            ? { type: 'postgres', url: location, schema: 'audit', migrate: true }
            : { type: 'sqlite', path: location, schema: 'audit', migrate: true },
          auditEntities,
          auditMigrations,
        );
        opened.push(ds);
        return ds;
      };
      return { connect, location };
    },
  };
}
