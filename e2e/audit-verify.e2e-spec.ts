/**
 * The tamper-evident audit end to end: a token signs digests of the chain head, a key owner exports the chain
 * (`symbolon audit export-chain`) and verifies it offline (`symbolon audit verify`). Records deleted, altered,
 * reordered or inserted directly in the audit database are named; a chain rewritten with recomputed hashes is caught
 * by the signed digest; another tenant's records never appear in an export.
 */
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { chainHash } from '@symbolon/evidence';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { symbolon } from './support/cli.js';
import { newAccount, newUser } from './support/tenants.js';

jest.setTimeout(180_000);

let platform: TestPlatform;
let dir: string;
let n = 0;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SYMBOLON_AUDIT_DIGEST_INTERVAL_MS: '500' } });
  dir = mkdtempSync(join(tmpdir(), 'symbolon-audit-verify-'));
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 240_000);

const cli = (args: string[]) => symbolon(platform, ...args);

/** Exports the whole chain for the platform's admin account and verifies it with the pinned signing key. */
async function exportAndVerify(): Promise<{ code: number; report: Record<string, unknown>; file: string }> {
  const file = join(dir, `export-${++n}.jsonl`);
  const exported = await cli(['audit', 'export-chain', '--out', file]);
  expect({ code: exported.code, err: exported.err }).toEqual({ code: 0, err: '' });
  const v = await cli(['audit', 'verify', '--in', file, '--public-key', join(dir, 'signing.pub')]);
  return { code: v.code, report: JSON.parse(v.out) as Record<string, unknown>, file };
}

interface Row {
  sequence: number;
  tenant_id: string | null;
  record: string;
  prev_hash: string;
  hash: string;
}

/** Runs `change` on the audit database in one transaction (the audit service keeps appending meanwhile). */
function tamper(change: (db: Database.Database) => void): void {
  const db = new Database(join(platform.dataDir, 'db', 'audit.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    db.transaction(() => change(db))();
  } finally {
    db.close();
  }
}

function rows(db: Database.Database, from: number, to: number): Row[] {
  return db
    .prepare(
      'SELECT sequence, tenant_id, record, prev_hash, hash FROM audit_records WHERE sequence BETWEEN ? AND ? ORDER BY sequence',
    )
    .all(from, to) as Row[];
}

/** Two own records in a row, far enough from the ends, covered by a signed digest. */
function ownPair(accountId: string): number {
  const db = new Database(join(platform.dataDir, 'db', 'audit.sqlite'), { readonly: true });
  try {
    const digested = (db.prepare('SELECT MAX(sequence) AS s FROM audit_digests').get() as { s: number }).s;
    const own = rows(db, 2, digested - 2).filter((r) => r.tenant_id === accountId);
    const pair = own.find((r, i) => own[i + 1]?.sequence === r.sequence + 1);
    if (!pair) throw new Error('no two consecutive own records under a digest');
    return pair.sequence;
  } finally {
    db.close();
  }
}

describe('audit export and verify', () => {
  let account: string;
  let otherRequestIds: string[];

  beforeAll(async () => {
    account = platform.credentials.accountId;
    const kms = platform.kms();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 20; i++)
      await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(`r${i}`) }));
    // Another tenant's requests, interleaved in the same chain.
    const other = await newAccount(platform, 'audit-verify-other');
    const user = await newUser(platform, 'other-admin', { accountId: other });
    const otherKms = platform.kms(user);
    const otherKey = (await otherKms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 5; i++) {
      await otherKms.send(new EncryptCommand({ KeyId: otherKey, Plaintext: Buffer.from(`o${i}`) }));
      await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(`m${i}`) }));
    }
    expect((await cli(['key', 'signing-key', '--out', join(dir, 'signing.pub')])).code).toBe(0);
    // The records reach the audit database a moment after the answers (the events stream is consumed
    // asynchronously): wait until the other tenant's six are there, then for a digest that covers all of the above.
    const db = () => new Database(join(platform.dataDir, 'db', 'audit.sqlite'), { readonly: true });
    const othersStored = () => {
      const d = db();
      try {
        return (
          d.prepare('SELECT COUNT(*) AS n FROM audit_records WHERE tenant_id = ?').get(other) as { n: number }
        ).n;
      } finally {
        d.close();
      }
    };
    const stored = Date.now() + 30_000;
    while (othersStored() < 6) {
      if (Date.now() > stored) throw new Error("the other tenant's records did not reach the audit database");
      await new Promise((r) => setTimeout(r, 100));
    }
    const head = (() => {
      const d = db();
      try {
        return (d.prepare('SELECT MAX(sequence) AS s FROM audit_records').get() as { s: number }).s;
      } finally {
        d.close();
      }
    })();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const d = db();
      const digested = (
        d.prepare('SELECT MAX(sequence) AS s FROM audit_digests').get() as { s: number | null }
      ).s;
      otherRequestIds = (
        d.prepare('SELECT request_id AS id FROM audit_records WHERE tenant_id = ?').all(other) as {
          id: string;
        }[]
      ).map((r) => r.id);
      d.close();
      if ((digested ?? 0) >= head) break;
      if (Date.now() > deadline) throw new Error('no signed digest covers the chain');
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('should verify a genuine export with signed digests and hold no other tenant record', async () => {
    const { code, report, file } = await exportAndVerify();
    expect(code).toBe(0);
    expect(report).toMatchObject({ Valid: true });
    expect(report['Digests']).toBeGreaterThan(0);
    expect(report['OwnRecords']).toBeGreaterThan(20);
    const text = readFileSync(file, 'utf8');
    expect(otherRequestIds.length).toBeGreaterThanOrEqual(6);
    for (const id of otherRequestIds) expect(text).not.toContain(id);
  });

  it('should name an altered record', async () => {
    const s = ownPair(account);
    let original = '';
    tamper((db) => {
      original = rows(db, s, s)[0]!.record;
      db.prepare('UPDATE audit_records SET record = ? WHERE sequence = ?').run(
        original.replace('"ok"', '"no"'),
        s,
      );
    });
    const { code, report } = await exportAndVerify();
    tamper((db) => db.prepare('UPDATE audit_records SET record = ? WHERE sequence = ?').run(original, s));
    expect(code).toBe(1);
    expect(report['FirstBreak']).toMatchObject({ Sequence: s, Reason: expect.stringMatching(/altered/) });
  });

  it('should name a deleted record', async () => {
    const s = ownPair(account);
    let kept: Row | undefined;
    tamper((db) => {
      kept = rows(db, s, s)[0];
      db.prepare('DELETE FROM audit_records WHERE sequence = ?').run(s);
    });
    const { code, report } = await exportAndVerify();
    tamper((db) =>
      db
        .prepare(
          `INSERT INTO audit_records (sequence, request_id, tenant_id, time, operation, key_arn, outcome, record, prev_hash, hash)
           SELECT ?, json_extract(?, '$.requestId'), ?, json_extract(?, '$.time'), 'x', NULL, 'ok', ?, ?, ?`,
        )
        .run(s, kept!.record, kept!.tenant_id, kept!.record, kept!.record, kept!.prev_hash, kept!.hash),
    );
    expect(code).toBe(1);
    expect(report['FirstBreak']).toMatchObject({ Sequence: s, Reason: expect.stringMatching(/missing/) });
  });

  it('should name reordered records', async () => {
    const s = ownPair(account);
    const swap = (db: Database.Database) => {
      const [a, b] = rows(db, s, s + 1);
      const set = db.prepare(
        'UPDATE audit_records SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?',
      );
      set.run(b!.record, b!.prev_hash, b!.hash, s);
      set.run(a!.record, a!.prev_hash, a!.hash, s + 1);
    };
    tamper(swap);
    const { code, report } = await exportAndVerify();
    tamper(swap);
    expect(code).toBe(1);
    expect((report['FirstBreak'] as { Sequence: number }).Sequence).toBe(s);
  });

  it('should name a record inserted in the middle', async () => {
    const s = ownPair(account);
    let forged: Row | undefined;
    tamper((db) => {
      const [prev, next] = rows(db, s, s + 1);
      // A well-formed record with a correct hash after `prev`, put in place of `next`.
      const record = next!.record.replace(/"requestId":"[^"]+"/, '"requestId":"forged"');
      forged = { ...next!, record, prev_hash: prev!.hash, hash: chainHash(prev!.hash, s + 1, record) };
      db.prepare('UPDATE audit_records SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?').run(
        forged.record,
        forged.prev_hash,
        forged.hash,
        s + 1,
      );
      forged = next;
    });
    const { code, report } = await exportAndVerify();
    tamper((db) =>
      db
        .prepare('UPDATE audit_records SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?')
        .run(forged!.record, forged!.prev_hash, forged!.hash, s + 1),
    );
    expect(code).toBe(1);
    expect((report['FirstBreak'] as { Sequence: number }).Sequence).toBe(s + 2);
  });

  it('should catch a rewritten chain whose hashes were recomputed with the signed digest', async () => {
    const s = ownPair(account);
    let saved: Row[] = [];
    tamper((db) => {
      const digested = (db.prepare('SELECT MAX(sequence) AS s FROM audit_digests').get() as { s: number }).s;
      saved = rows(db, s, digested);
      let prev = saved[0]!.prev_hash;
      const set = db.prepare(
        'UPDATE audit_records SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?',
      );
      for (const r of saved) {
        const record = r.sequence === s ? r.record.replace('"ok"', '"no"') : r.record;
        const hash = chainHash(prev, r.sequence, record);
        set.run(record, prev, hash, r.sequence);
        prev = hash;
      }
    });
    const { code, report } = await exportAndVerify();
    tamper((db) => {
      const set = db.prepare(
        'UPDATE audit_records SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?',
      );
      for (const r of saved) set.run(r.record, r.prev_hash, r.hash, r.sequence);
    });
    expect(code).toBe(1);
    expect(report['FirstBreak']).toMatchObject({ Reason: expect.stringMatching(/digest/) });
  });
});
