import { resolve } from 'node:path';

import { ENCRYPTING_OPERATIONS, type RequestHandledEvent } from '@symbolon/contracts';
import { registry } from '@symbolon/platform';
import { Counter } from 'prom-client';
import { logger } from '@symbolon/platform';
import type { DataSource, EntityManager } from 'typeorm';

import { AuditRecordEntity, UsageCounterEntity } from './audit-record.entity.js';
import { GENESIS_HASH, chainHash } from '@symbolon/evidence';

/**
 * Key of the transaction-scoped PostgreSQL advisory lock that serialises chain writers ("symbaudt" in ASCII): every
 * audit replica takes it before reading the chain head, so two replicas never hand out the same sequence.
 */
export const CHAIN_LOCK_KEY = 8320802055853007988n;

/** Records per INSERT statement (10 parameters each: SQLite allows 32766, PostgreSQL 65535). */
const INSERT_CHUNK = 200;

/**
 * One multi-row INSERT with positional parameters, each value converted as TypeORM would persist it. TypeORM's own
 * insert builder re-scans the whole statement for every named parameter: with hundreds of records per batch that was
 * about a quarter of the audit service's CPU (bench profile).
 */
async function insertRows(m: EntityManager, rows: readonly AuditRecordEntity[]): Promise<void> {
  if (rows.length === 0) return;
  const { driver } = m.connection;
  const meta = m.connection.getMetadata(AuditRecordEntity);
  const table = driver.buildTableName(meta.tableName, (driver.options as { schema?: string }).schema);
  const columns = meta.columns;
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const slots = columns.map((c) => {
      params.push(driver.preparePersistentValue(c.getEntityValue(row), c));
      return driver.createParameter(`p${params.length - 1}`, params.length - 1);
    });
    return `(${slots.join(', ')})`;
  });
  const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
  await m.query(`INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')}`, params);
}

/** What became of one event handed to {@link AuditStore.append}. */
export type AppendOutcome =
  /** Appended to the chain in this call: the message can be acknowledged. */
  | 'stored'
  /** Its request id was already in the log (a redelivery): the message can be acknowledged. */
  | 'duplicate'
  /** Not stored (the database refused it, or is unreachable): the message must be redelivered later. */
  | 'failed';

export interface AppendResult {
  outcome: AppendOutcome;
  /** Its place in the chain, when stored. */
  sequence?: number;
  /** Why it failed: an error code or class, never record content. */
  reason?: string;
}

interface Usage {
  keyArn: string;
  keyVersion: number;
  tenantId: string;
  n: number;
}

/**
 * Writers on one SQLite file inside this process, one after another. better-sqlite3 is synchronous: a second
 * connection of this process waiting for the file's write lock would block the event loop that the holder needs to
 * finish, and TypeORM turns concurrent transactions on its single connection into nested savepoints.
 */
const sqliteQueues = new Map<string, Promise<unknown>>();

function inQueue<T>(key: string, work: () => Promise<T>): Promise<T> {
  const run = (sqliteQueues.get(key) ?? Promise.resolve()).then(work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  sqliteQueues.set(key, settled);
  void settled.then(() => {
    if (sqliteQueues.get(key) === settled) sqliteQueues.delete(key);
  });
  return run;
}

/** An error's code (SQLSTATE, SQLITE_*) or class: safe to log, as it never carries values. */
function reasonOf(e: unknown): string {
  const driverError = (e as { driverError?: unknown } | null)?.driverError;
  if (driverError !== undefined && driverError !== null) return reasonOf(driverError);
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'unknown';
}

/** Why an event cannot be stored on any database, or undefined. Names the field, never its value. */
function problemOf(e: RequestHandledEvent): string | undefined {
  const ev = e as Partial<Record<keyof RequestHandledEvent, unknown>> | null;
  if (typeof ev !== 'object' || ev === null) return 'event is not an object';
  if (typeof ev.requestId !== 'string' || ev.requestId === '') return 'invalid requestId';
  if (typeof ev.operation !== 'string' || ev.operation === '') return 'invalid operation';
  if (typeof ev.outcome !== 'string' || ev.outcome === '') return 'invalid outcome';
  if (typeof ev.time !== 'string' || Number.isNaN(Date.parse(ev.time))) return 'invalid time';
  return undefined;
}

/** Encryptions counted into the usage counters, all keys together (no key or tenant labels). */
const encryptionsCounted = new Counter({
  name: 'kms_audit_encryptions_counted_total',
  help: 'Encrypting operations counted into the per-key-version usage counters',
  registers: [registry],
});

/** The account in a key ARN (arn:aws:kms:<region>:<account>:key/<id>). */
export function ownerOf(keyArn: string): string | undefined {
  return /^arn:[^:]+:kms:[^:]*:(\d{12}):key\//.exec(keyArn)?.[1];
}

/**
 * Appends records to the hash chain and bumps usage counters in the same transaction. Any number of stores (audit
 * replicas) may write to one database: the chain head is read inside the write transaction, after taking the
 * writers' lock. Records already stored (a redelivery) are skipped, so each request is recorded exactly once.
 */
export class AuditStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a batch in one transaction; if that fails, stores its events one by one so that one event the database
   * refuses does not hold back the others. Returns one result per event, in order.
   */
  async append(events: readonly RequestHandledEvent[]): Promise<AppendResult[]> {
    const results: (AppendResult | undefined)[] = events.map((e) => {
      const problem = problemOf(e);
      return problem === undefined ? undefined : this.failed(e, problem);
    });
    const valid = events.filter((_, i) => results[i] === undefined);
    const stored = await this.appendValid(valid);
    let next = 0;
    return results.map((r) => r ?? stored[next++]!);
  }

  private async appendValid(events: readonly RequestHandledEvent[]): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    try {
      return await this.write(events);
    } catch (batchError) {
      if (events.length === 1) return [this.failed(events[0]!, reasonOf(batchError))];
      if (!(await this.reachable())) {
        const reason = reasonOf(batchError);
        logger.error(
          { reason, batch: events.length },
          'audit database unreachable; batch not stored, will be redelivered',
        );
        return events.map(() => ({ outcome: 'failed', reason }));
      }
    }
    const results: AppendResult[] = [];
    for (const e of events) {
      try {
        results.push(...(await this.write([e])));
      } catch (err) {
        results.push(this.failed(e, reasonOf(err)));
      }
    }
    return results;
  }

  private failed(e: RequestHandledEvent, reason: string): AppendResult {
    const ev = e as Partial<RequestHandledEvent> | null;
    logger.error(
      {
        requestId: typeof ev?.requestId === 'string' ? ev.requestId.slice(0, 64) : undefined,
        operation: typeof ev?.operation === 'string' ? ev.operation.slice(0, 64) : undefined,
        reason,
      },
      'audit record not stored; will be redelivered',
    );
    return { outcome: 'failed', reason };
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.ds.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** One transaction: all of the events are stored (or found stored already), or none. */
  private async write(events: readonly RequestHandledEvent[]): Promise<AppendResult[]> {
    const { results, encryptions } = await this.exclusive(async (m) => {
      const head = await m
        .getRepository(AuditRecordEntity)
        .find({ select: { sequence: true, hash: true }, order: { sequence: 'DESC' }, take: 1 });
      let sequence = head[0]?.sequence ?? 0;
      let hash = head[0]?.hash ?? GENESIS_HASH;
      const known = await this.knownRequestIds(
        m,
        events.map((e) => e.requestId),
      );
      const results: AppendResult[] = [];
      const rows: AuditRecordEntity[] = [];
      const usage = new Map<string, Usage>();
      for (const e of events) {
        if (known.has(e.requestId)) {
          results.push({ outcome: 'duplicate' });
          continue;
        }
        known.add(e.requestId);
        const record = JSON.stringify(e);
        sequence += 1;
        const prevHash = hash;
        hash = chainHash(prevHash, sequence, record);
        rows.push({
          sequence,
          requestId: e.requestId,
          tenantId: e.tenantId,
          time: new Date(e.time),
          operation: e.operation,
          keyArn: e.keyArn,
          outcome: e.outcome,
          record,
          prevHash,
          hash,
        });
        results.push({ outcome: 'stored', sequence });
        if (
          e.outcome === 'ok' &&
          e.keyArn &&
          e.keyVersion &&
          e.tenantId &&
          ENCRYPTING_OPERATIONS.includes(e.operation)
        ) {
          const k = `${e.keyArn}#${e.keyVersion}`;
          const u = usage.get(k) ?? {
            keyArn: e.keyArn,
            keyVersion: e.keyVersion,
            // The key's owner, also when another account encrypted under it (a grant): the counter is the key's.
            tenantId: ownerOf(e.keyArn) ?? e.tenantId,
            n: 0,
          };
          u.n += 1;
          usage.set(k, u);
        }
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await insertRows(m, rows.slice(i, i + INSERT_CHUNK));
      for (const u of usage.values()) await this.bump(m, u);
      return { results, encryptions: [...usage.values()].reduce((n, u) => n + u.n, 0) };
    });
    // Counted once the transaction committed: the metric never runs ahead of the stored counters.
    if (encryptions > 0) encryptionsCounted.inc(encryptions);
    return results;
  }

  /**
   * Runs `work` in a write transaction that no other chain writer overlaps. PostgreSQL: a transaction-scoped
   * advisory lock, taken before anything is read. SQLite: BEGIN IMMEDIATE takes the file's write lock up front
   * (TypeORM's BEGIN is DEFERRED: two connections would read the same head and one would fail on upgrade), and
   * writers inside this process queue first (see {@link sqliteQueues}).
   */
  private exclusive<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    const type = this.ds.options.type;
    if (type === 'postgres') {
      return this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
        return work(m);
      });
    }
    if (type !== 'better-sqlite3') throw new Error(`audit store: unsupported database type ${type}`);
    const file = resolve(String(this.ds.options.database));
    return inQueue(file, async () => {
      // One shared connection per SQLite data source: this runner is it.
      const qr = this.ds.createQueryRunner();
      await qr.query('BEGIN IMMEDIATE');
      try {
        const result = await work(qr.manager);
        await qr.query('COMMIT');
        return result;
      } catch (e) {
        await qr.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        await qr.release();
      }
    });
  }

  private async knownRequestIds(m: EntityManager, ids: string[]): Promise<Set<string>> {
    const { driver } = m.connection;
    const table = driver.buildTableName('audit_records', (driver.options as { schema?: string }).schema);
    const params = ids.map((_, i) => driver.createParameter(`id${i}`, i)).join(', ');
    const found = (await m.query(`SELECT request_id FROM ${table} WHERE request_id IN (${params})`, ids)) as {
      request_id: string;
    }[];
    return new Set(found.map((f) => f.request_id));
  }

  private async bump(m: EntityManager, u: Usage): Promise<void> {
    const result = await m
      .createQueryBuilder()
      .update(UsageCounterEntity)
      .set({ encryptions: () => `encryptions + ${Math.trunc(u.n)}` })
      .where('key_arn = :keyArn AND key_version = :keyVersion', {
        keyArn: u.keyArn,
        keyVersion: u.keyVersion,
      })
      .execute();
    if (!result.affected) {
      await m.insert(UsageCounterEntity, {
        keyArn: u.keyArn,
        keyVersion: u.keyVersion,
        tenantId: u.tenantId,
        encryptions: u.n,
      });
    }
  }
}
