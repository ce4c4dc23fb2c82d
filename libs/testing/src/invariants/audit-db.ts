/**
 * Read-only access to the audit service's SQLite database while the platform runs (WAL mode: a reader sees every
 * committed transaction), and a consistent copy of it for tampering tests.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface AuditRow {
  sequence: number;
  requestId: string;
  tenantId: string | null;
  operation: string;
  keyArn: string | null;
  outcome: string;
  record: string;
  prevHash: string;
  hash: string;
}

export interface UsageRow {
  keyArn: string;
  keyVersion: number;
  tenantId: string;
  encryptions: number;
}

export function auditDbPath(dataDir: string): string {
  return join(dataDir, 'db', 'audit.sqlite');
}

function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

export function countAuditRecords(path: string): number {
  return withDb(
    path,
    (db) => (db.prepare('SELECT COUNT(*) AS n FROM audit_records').get() as { n: number }).n,
  );
}

/** Every record, in sequence order. */
export function readAuditRows(path: string): AuditRow[] {
  return withDb(
    path,
    (db) =>
      db
        .prepare(
          `SELECT sequence, request_id AS requestId, tenant_id AS tenantId, operation, key_arn AS keyArn, outcome, record,
                  prev_hash AS prevHash, hash
             FROM audit_records ORDER BY sequence`,
        )
        .all() as AuditRow[],
  );
}

export function readUsageCounters(path: string): UsageRow[] {
  return withDb(
    path,
    (db) =>
      db
        .prepare(
          `SELECT key_arn AS keyArn, key_version AS keyVersion, tenant_id AS tenantId, encryptions FROM usage_counters`,
        )
        .all() as UsageRow[],
  );
}

/** A self-contained copy (main file and WAL folded together) at `dest`. */
export async function copyAuditDb(path: string, dest: string): Promise<void> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
}

/** Replaces the `record` text of one row in a copy of the database. */
export function tamperRecord(copyPath: string, sequence: number, record: string): void {
  const db = new Database(copyPath, { fileMustExist: true });
  try {
    const r = db.prepare('UPDATE audit_records SET record = ? WHERE sequence = ?').run(record, sequence);
    if (r.changes !== 1) throw new Error(`no audit record with sequence ${sequence} in the copy`);
  } finally {
    db.close();
  }
}

/** Polls `read` until `done(value)` or the timeout; returns the last value read. */
export async function pollUntil<T>(
  read: () => T,
  done: (v: T) => boolean,
  timeoutMs: number,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, stepMs));
    v = read();
  }
  return v;
}
