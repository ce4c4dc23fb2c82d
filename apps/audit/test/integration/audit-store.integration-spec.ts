import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import { jest } from '@jest/globals';
import type { RequestHandledEvent } from '@symbolon/contracts';
import { logger } from '@symbolon/platform';
import pg from 'pg';
import type { DataSource } from 'typeorm';

import { chainHash, verifyChain } from '@symbolon/evidence';

import { TENANT, auditDatabases, onPostgres, requestEvent } from './audit-databases.test-helper.js';

/**
 * AuditStore on a real database: SQLite files by default, PostgreSQL when SYMBOLON_TEST_DB=postgres. Each test has a
 * database of its own, opened (and migrated) the way the service opens it.
 */
const { AuditRecordEntity, UsageCounterEntity } = await import('../../src/records/audit-record.entity.js');
const { AuditStore, CHAIN_LOCK_KEY } = await import('../../src/records/audit-store.js');

jest.setTimeout(60_000);

const KEY_1 = `arn:aws:kms:us-east-1:${TENANT}:key/00000000-0000-4000-8000-000000000001`;
const KEY_2 = `arn:aws:kms:us-east-1:${TENANT}:key/00000000-0000-4000-8000-000000000002`;

const event = requestEvent;

/**
 * A successful Encrypt whose key version the database refuses on both engines (not an integer), when the usage
 * counter is written: after its audit row, in the same transaction.
 */
function refusedByTheDatabase(): RequestHandledEvent {
  return event({ keyVersion: { major: 1 } as unknown as number });
}

describe(`AuditStore on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dbs = auditDatabases('audit');
  const newDatabase = () => dbs.newDatabase();

  beforeAll(() => dbs.start(), 120_000);
  afterAll(() => dbs.stop(), 60_000);

  afterEach(() => {
    jest.restoreAllMocks();
  });

  async function chain(ds: DataSource): Promise<InstanceType<typeof AuditRecordEntity>[]> {
    return ds.getRepository(AuditRecordEntity).find({ order: { sequence: 'ASC' } });
  }

  it('should keep one valid chain without duplicate sequences when two stores append interleaved batches', async () => {
    const db = await newDatabase();
    const [ds1, ds2] = [await db.connect(), await db.connect()];
    const stores = [new AuditStore(ds1), new AuditStore(ds2)];
    const batches = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 5 + (i % 4) }, () => event({ operation: i % 2 ? 'Decrypt' : 'Encrypt' })),
    );

    const results = await Promise.all(batches.map((batch, i) => stores[i % 2]!.append(batch)));

    const sent = batches.flat();
    expect(results.flat().map((r) => r.outcome)).toEqual(sent.map(() => 'stored'));
    const rows = await chain(ds1);
    expect(rows.map((r) => r.sequence)).toEqual(sent.map((_, i) => i + 1));
    expect(new Set(results.flat().map((r) => r.sequence)).size).toBe(sent.length);
    expect(verifyChain(rows)).toBeUndefined();
    expect(rows.map((r) => r.requestId).sort()).toEqual(sent.map((e) => e.requestId).sort());
  });

  it('should chain after a writer on another connection when that writer holds the chain lock', async () => {
    const db = await newDatabase();
    const ds = await db.connect();
    const store = new AuditStore(ds);
    await store.append([event(), event()]);
    const [head] = await ds.getRepository(AuditRecordEntity).find({ order: { sequence: 'DESC' }, take: 1 });
    const record = JSON.stringify(event());
    const foreign = {
      sequence: head!.sequence + 1,
      requestId: randomUUID(),
      record,
      prevHash: head!.hash,
      hash: chainHash(head!.hash, head!.sequence + 1, record),
    };

    const writer = await holdChainLockAndInsert(db.location, foreign, 400);
    const [result] = await store.append([event()]);
    await writer.done;

    expect(result).toEqual({ outcome: 'stored', sequence: 4 });
    const rows = await chain(ds);
    expect(rows.map((r) => r.requestId)[2]).toBe(foreign.requestId);
    expect(verifyChain(rows)).toBeUndefined();
  });

  it('should store a redelivered record once when its request id is already stored', async () => {
    const db = await newDatabase();
    const [ds1, ds2] = [await db.connect(), await db.connect()];
    const [a, b, c] = [event(), event(), event()];

    const first = await new AuditStore(ds1).append([a, b]);
    const again = await new AuditStore(ds1).append([b, c, c]);
    const onOtherReplica = await new AuditStore(ds2).append([a]);

    expect(first.map((r) => r.outcome)).toEqual(['stored', 'stored']);
    expect(again).toEqual([
      { outcome: 'duplicate' },
      { outcome: 'stored', sequence: 3 },
      { outcome: 'duplicate' },
    ]);
    expect(onOtherReplica).toEqual([{ outcome: 'duplicate' }]);
    const rows = await chain(ds1);
    expect(rows.map((r) => r.requestId)).toEqual([a.requestId, b.requestId, c.requestId]);
    expect(verifyChain(rows)).toBeUndefined();
  });

  it('should count only successful Encrypt, GenerateDataKey* and ReEncrypt per key version when records are stored', async () => {
    const db = await newDatabase();
    const ds = await db.connect();
    const store = new AuditStore(ds);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const counted = [
      event({ operation: 'Encrypt' }),
      event({ operation: 'GenerateDataKey' }),
      event({ operation: 'GenerateDataKeyWithoutPlaintext', keyVersion: 2 }),
      event({ operation: 'Encrypt', keyArn: KEY_2 }),
      // ReEncrypt's record names its destination key: it counts there.
      event({ operation: 'ReEncrypt', keyArn: KEY_2 }),
      // Another account encrypting under the key (a grant) counts for the key, under its owner.
      event({
        operation: 'Encrypt',
        keyArn: KEY_2,
        tenantId: '999999999999',
        principal: 'arn:aws:iam::999999999999:user/bob',
      }),
    ];
    const ignored = [
      event({ operation: 'Decrypt' }),
      event({ operation: 'Encrypt', outcome: 'AccessDeniedException', httpStatus: 400 }),
      event({ operation: 'GenerateDataKey', outcome: 'DisabledException', httpStatus: 400 }),
      event({ operation: 'Encrypt', keyVersion: null }),
      refusedByTheDatabase(),
    ];

    await store.append([...counted.slice(0, 2), ...ignored]);
    await store.append(counted.slice(2));
    await store.append([event({ operation: 'Encrypt' }), counted[0]!]);

    const usage = await ds
      .getRepository(UsageCounterEntity)
      .find({ order: { keyArn: 'ASC', keyVersion: 'ASC' } });
    expect(usage.map((u) => [u.keyArn, u.keyVersion, u.tenantId, u.encryptions])).toEqual([
      [KEY_1, 1, TENANT, 3],
      [KEY_1, 2, TENANT, 1],
      [KEY_2, 1, TENANT, 3],
    ]);
  });

  it('should store the good records and report the refused ones failed when a batch holds poison records', async () => {
    const db = await newDatabase();
    const ds = await db.connect();
    const store = new AuditStore(ds);
    const known = event();
    await store.append([known]);
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const poison = [
      refusedByTheDatabase(),
      event({ time: 'not a time' }),
      event({ outcome: null as unknown as string }),
    ];
    // PostgreSQL enforces varchar lengths; SQLite does not.
    if (onPostgres) poison.push(event({ operation: 'X'.repeat(65) }));
    const good = [event(), event({ operation: 'Decrypt' }), event()];
    const batch = [good[0]!, poison[0]!, known, good[1]!, ...poison.slice(1), good[2]!];

    const results = await store.append(batch);

    expect(results.map((r) => r.outcome)).toEqual([
      'stored',
      'failed',
      'duplicate',
      'stored',
      ...poison.slice(1).map(() => 'failed'),
      'stored',
    ]);
    for (const r of results.filter((r) => r.outcome === 'failed')) expect(r.reason).toMatch(/^[\w ]+$/);
    const rows = await chain(ds);
    expect(rows.map((r) => r.requestId)).toEqual([known, ...good].map((e) => e.requestId));
    expect(verifyChain(rows)).toBeUndefined();
    const logged = errors.mock.calls.map((call) => call[0] as unknown as Record<string, unknown>);
    expect(logged.map((l) => l['requestId']).sort()).toEqual(poison.map((e) => e.requestId).sort());
    for (const l of logged) expect(Object.keys(l).sort()).toEqual(['operation', 'reason', 'requestId']);
  });

  it('should report every record failed without storing any when the database is closed', async () => {
    const db = await newDatabase();
    const ds = await db.connect();
    const store = new AuditStore(ds);
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    await ds.destroy();

    const results = await store.append([event(), event(), event()]);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(errors).toHaveBeenCalledTimes(1);
    const again = await db.connect();
    expect(await chain(again)).toEqual([]);
  });
});

interface ForeignRow {
  sequence: number;
  requestId: string;
  record: string;
  prevHash: string;
  hash: string;
}

/**
 * Another writer (another process, as far as the database can tell): takes the chain writers' lock, inserts `row`,
 * holds the lock `holdMs` more, then commits. Resolves once the lock is held and the row inserted.
 */
async function holdChainLockAndInsert(
  location: string,
  row: ForeignRow,
  holdMs: number,
): Promise<{ done: Promise<void> }> {
  const columns =
    'sequence, request_id, tenant_id, time, operation, key_arn, outcome, record, prev_hash, hash';
  const values = [
    row.sequence,
    row.requestId,
    TENANT,
    'Encrypt',
    KEY_1,
    'ok',
    row.record,
    row.prevHash,
    row.hash,
  ];
  if (location.startsWith('postgres://')) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
    await client.query(
      `INSERT INTO audit.audit_records (${columns}) VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8, $9)`,
      values,
    );
    const done = new Promise<void>((resolve) => setTimeout(resolve, holdMs))
      .then(() => client.query('COMMIT'))
      .then(() => client.end());
    return { done };
  }
  // A thread of its own: this thread blocks in SQLite's busy handler while the other holds the lock.
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    db.prepare(workerData.insert).run(...workerData.values);
    parentPort.postMessage('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
    db.exec('COMMIT');
    db.close();
    `,
    {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: location,
        insert: `INSERT INTO audit_records (${columns}) VALUES (?, ?, ?, datetime('now'), ?, ?, ?, ?, ?, ?)`,
        values,
        holdMs,
      },
    },
  );
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer thread exited ${code}`)),
    );
  });
  await Promise.race([new Promise((resolve) => worker.once('message', resolve)), done]);
  return { done };
}
