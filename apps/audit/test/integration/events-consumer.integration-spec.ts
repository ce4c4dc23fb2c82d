import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { jest } from '@jest/globals';
import { AuditStream, type RequestHandledEvent, Subjects } from '@symbolon/contracts';
import {
  type LocalPostgres,
  type NatsServer,
  logger,
  openDataSource,
  startNatsServer,
  startPostgres,
} from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { verifyChain } from '@symbolon/evidence';

/**
 * Two audit replicas on one durable JetStream consumer and one database (SQLite, or PostgreSQL when
 * SYMBOLON_TEST_DB=postgres): every record is stored once in one chain, and a record the database refuses stays in
 * the stream without holding back the others.
 */
const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
// The entities' timestamp column type is chosen from this when their module loads: set it before importing them.
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { auditEntities, auditMigrations } = await import('../../src/app.module.js');
const { AuditRecordEntity } = await import('../../src/records/audit-record.entity.js');
const { AuditStore } = await import('../../src/records/audit-store.js');
const { EventsConsumer } = await import('../../src/records/events.consumer.js');

jest.setTimeout(60_000);

const TENANT = '111122223333';

function event(overrides: Partial<RequestHandledEvent> = {}): RequestHandledEvent {
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
    encryptionContext: null,
    decision: null,
    outcome: 'ok',
    httpStatus: 200,
    ...overrides,
  };
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`EventsConsumer replicas on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-audit-'));
  const pgDir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
  let nats: NatsServer;
  let postgres: LocalPostgres | undefined;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    nats = await startNatsServer({ dir: join(dir, 'nats') });
    if (onPostgres) postgres = await startPostgres({ dir: pgDir });
  }, 120_000);

  afterAll(async () => {
    for (const ds of opened) if (ds.isInitialized) await ds.destroy();
    await nats?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
    if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
    else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
  }, 60_000);

  it('should store every record once in one chain and keep the refused one in the stream when two replicas consume', async () => {
    const url = postgres ? await postgres.createDatabase('audit_consumers') : join(dir, 'audit.sqlite');
    const connectDb = async (): Promise<DataSource> => {
      const ds = await openDataSource(
        postgres
          ? { type: 'postgres', url, schema: 'audit', migrate: true }
          : { type: 'sqlite', path: url, schema: 'audit', migrate: true },
        auditEntities,
        auditMigrations,
      );
      opened.push(ds);
      return ds;
    };
    const replicas = [
      new EventsConsumer(nats.url, new AuditStore(await connectDb())),
      new EventsConsumer(nats.url, new AuditStore(await connectDb())),
    ];
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    for (const r of replicas) await r.start();
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    const events = Array.from({ length: 300 }, () => event());
    // The database refuses its key version (not an integer) when the usage counter is written.
    events.splice(150, 0, event({ keyVersion: { major: 1 } as unknown as number }));
    const published = [...events, events[10]!, events[200]!];

    try {
      for (const e of published) {
        // A distinct message id for the repeats: JetStream would drop them as duplicates otherwise.
        await js.publish(Subjects.events.requestHandled, JSON.stringify(e), { msgID: randomUUID() });
      }
      const jsm = await jetstreamManager(nc);
      const ds = opened[0]!;
      await until('all but the refused record are stored and acknowledged', async () => {
        const stored = await ds.getRepository(AuditRecordEntity).count();
        const { state } = await jsm.streams.info(AuditStream.name);
        return stored === events.length - 1 && state.messages === 1;
      });

      const rows = await ds.getRepository(AuditRecordEntity).find({ order: { sequence: 'ASC' } });
      expect(verifyChain(rows)).toBeUndefined();
      expect(new Set(rows.map((r) => r.requestId)).size).toBe(rows.length);
      expect(rows.map((r) => r.requestId).sort()).toEqual(
        events
          .filter((_, i) => i !== 150)
          .map((e) => e.requestId)
          .sort(),
      );
      expect(replicas[0]!.stored + replicas[1]!.stored).toBe(rows.length);
      const left = await jsm.streams.getMessage(AuditStream.name, {
        seq: (await jsm.streams.info(AuditStream.name)).state.first_seq,
      });
      expect(left?.json<RequestHandledEvent>().requestId).toBe(events[150]!.requestId);
    } finally {
      for (const r of replicas) await r.stop();
      await nc.drain();
    }
  });
});
