import { afterAll, describe, expect, it } from '@jest/globals';
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  type AuditVerifyReport,
  MAX_PENDING_DIGESTS,
  auditExportHeader,
  formatDigest,
  formatExportHeader,
  formatLink,
  readLines,
  verifyAuditExport,
} from './audit-export.js';
import { signingBytes } from './canonical.js';
import { type ChainLink, GENESIS_HASH, chainHash } from './chain.js';
import {
  type AuditDigest,
  type Signed,
  auditDigest,
  publicKeyFingerprint,
  shredReceipt,
} from './documents.js';

const TENANT = '111111111111';
const OTHER = '222222222222';
const KEY_ARN = `arn:aws:kms:eu-west-1:${TENANT}:key/0f8a3c52-5d1e-4b7a-9c21-6e0d4b2a9f10`;
const EXPORTED_AT = '2025-03-01T10:00:00.000Z';
const RECORDS = 50;
const DIGEST_EVERY = 10;

interface Key {
  privateKey: KeyObject;
  publicKey: string;
}

function newKey(): Key {
  const pair = generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

function signDigest(key: Key, sequence: number, hash: string): Signed<AuditDigest> {
  const document = auditDigest({ sequence, hash, time: '2025-03-01T09:00:00.000Z', nodeId: 'hsm-1' });
  return {
    document,
    signature: sign(null, signingBytes(document), key.privateKey).toString('base64'),
    publicKey: key.publicKey,
  };
}

/** Records 1..50: every third one is the other tenant's. */
const tenantOf = (sequence: number) => (sequence % 3 === 0 ? OTHER : TENANT);

function record(sequence: number, tenantId = tenantOf(sequence), outcome = 'ok'): string {
  return JSON.stringify({
    requestId: `0b6c3b9e-2f4d-4c1a-8e57-${String(sequence).padStart(12, '0')}`,
    time: new Date(Date.UTC(2025, 2, 1, 8, 0, sequence)).toISOString(),
    tenantId,
    principal: `arn:aws:iam::${tenantId}:user/app`,
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    sourceIp: '10.0.0.7',
    operation: sequence % 2 ? 'Encrypt' : 'Decrypt',
    keyArn: `arn:aws:kms:eu-west-1:${tenantId}:key/0f8a3c52-5d1e-4b7a-9c21-6e0d4b2a9f10`,
    keyVersion: 1,
    encryptionContext: { purpose: 'invoices' },
    decision: { effect: 'ALLOW', reason: 'key policy' },
    outcome,
    httpStatus: 200,
  });
}

/** A genuine chain from record contents (or a rewritten one from altered contents). */
function chainOf(records: string[]): ChainLink[] {
  let prevHash = GENESIS_HASH;
  return records.map((rec, i) => {
    const hash = chainHash(prevHash, i + 1, rec);
    const link = { sequence: i + 1, record: rec, prevHash, hash };
    prevHash = hash;
    return link;
  });
}

const genuineRecords = Array.from({ length: RECORDS }, (_, i) => record(i + 1));
const genuineChain = chainOf(genuineRecords);
const key = newKey();
const attacker = newKey();
const digestsOf = (links: ChainLink[], by: Key) =>
  new Map(
    links
      .filter((l) => l.sequence % DIGEST_EVERY === 0)
      .map((l) => [l.sequence, signDigest(by, l.sequence, l.hash)] as const),
  );
const genuineDigests = digestsOf(genuineChain, key);

/** The export of TENANT's records over [from, to], written like the exporter does. */
function exportOf(links = genuineChain, digests = genuineDigests, from = 1, to = RECORDS): string[] {
  const lines = [
    formatExportHeader({
      tenantId: TENANT,
      keyArn: KEY_ARN,
      fromSequence: from,
      toSequence: to,
      exportedAt: EXPORTED_AT,
    }),
  ];
  for (const l of links.slice(from - 1, to)) {
    lines.push(formatLink(l, tenantOf(l.sequence) === TENANT));
    const d = digests.get(l.sequence);
    if (d) lines.push(formatDigest(d));
  }
  return lines;
}

/** Index (0-based) of the link line of `sequence`, or of the digest line covering it. */
function indexOf(lines: string[], sequence: number, kind: 'link' | 'digest' = 'link'): number {
  const i = lines.findIndex((l, n) => {
    if (n === 0) return false;
    const v = JSON.parse(l) as { s?: number; digest?: Signed<AuditDigest> };
    return kind === 'link' ? v.s === sequence : v.digest?.document.sequence === sequence;
  });
  if (i < 0) throw new Error(`no ${kind} line for ${sequence}`);
  return i;
}

function replaceLink(
  lines: string[],
  sequence: number,
  change: (v: Record<string, unknown>) => void,
): string[] {
  const out = [...lines];
  const i = indexOf(out, sequence);
  const v = JSON.parse(out[i]!) as Record<string, unknown>;
  change(v);
  out[i] = JSON.stringify(v);
  return out;
}

const ownCount = genuineChain.filter((l) => tenantOf(l.sequence) === TENANT).length;
const fingerprint = publicKeyFingerprint(key.publicKey);

describe('formatExportHeader', () => {
  it('should write the header fields in order when given a valid header', () => {
    expect(exportOf()[0]).toBe(
      `{"format":"symbolon.audit-export.v1","tenantId":"${TENANT}","keyArn":"${KEY_ARN}","fromSequence":1,"toSequence":50,"exportedAt":"${EXPORTED_AT}"}`,
    );
  });

  const valid = { tenantId: TENANT, keyArn: null, fromSequence: 3, toSequence: 9, exportedAt: EXPORTED_AT };

  it('audit export tenantId must be 12 digits', () => {
    expect(() => formatExportHeader({ ...valid, tenantId: '12345' })).toThrow(
      'audit export tenantId must be 12 digits',
    );
  });

  it('audit export keyArn must be null or arn:<partition>:kms:<region>:<12 digits>:key/<id>', () => {
    expect(() => formatExportHeader({ ...valid, keyArn: 'alias/app' })).toThrow(
      'audit export keyArn must be null or arn:<partition>:kms:<region>:<12 digits>:key/<id>',
    );
  });

  it('audit export fromSequence must be a safe integer of at least 1', () => {
    expect(() => formatExportHeader({ ...valid, fromSequence: 0 })).toThrow(
      'audit export fromSequence must be a safe integer of at least 1',
    );
  });

  it('audit export toSequence must be a safe integer of at least fromSequence', () => {
    expect(() => formatExportHeader({ ...valid, toSequence: 2 })).toThrow(
      'audit export toSequence must be a safe integer of at least fromSequence',
    );
  });

  it('audit export exportedAt must be an ISO 8601 UTC time', () => {
    expect(() => formatExportHeader({ ...valid, exportedAt: 'now' })).toThrow(
      'audit export exportedAt must be an ISO 8601 UTC time',
    );
  });

  it('should keep a null keyArn when the export covers every key of the tenant', () => {
    expect(auditExportHeader(valid).keyArn).toBeNull();
  });
});

describe('formatLink', () => {
  const link = genuineChain[1]!;

  it('should write hashes only when the record is not the tenant own', () => {
    expect(formatLink(link, false)).toBe(`{"s":2,"p":"${link.prevHash}","h":"${link.hash}"}`);
  });

  it('should write the record as a JSON string when the record is the tenant own', () => {
    const line = formatLink(link, true);
    expect(JSON.parse(line)).toEqual({ s: 2, p: link.prevHash, h: link.hash, r: link.record });
  });

  it('audit export link sequence must be a safe integer of at least 1', () => {
    expect(() => formatLink({ ...link, sequence: 0 }, false)).toThrow(
      'audit export link sequence must be a safe integer of at least 1',
    );
  });

  it('audit export link hashes must be 64 lowercase hex digits', () => {
    expect(() => formatLink({ ...link, hash: '"' }, false)).toThrow(
      'audit export link hashes must be 64 lowercase hex digits',
    );
  });

  it('audit export own record must be a string', () => {
    expect(() => formatLink({ ...link, record: undefined as unknown as string }, true)).toThrow(
      'audit export own record must be a string',
    );
  });
});

describe('formatDigest', () => {
  it('should write the signed digest under "digest" when given one', () => {
    const d = genuineDigests.get(10)!;
    expect(JSON.parse(formatDigest({ ...d, extra: 1 } as Signed<AuditDigest>))).toEqual({ digest: d });
  });
});

describe('verifyAuditExport', () => {
  it('should accept with the expected counts when the export is genuine', async () => {
    const report = await verifyAuditExport(exportOf(), { publicKey: key.publicKey });
    const expected: AuditVerifyReport = {
      ok: true,
      header: auditExportHeader({
        tenantId: TENANT,
        keyArn: KEY_ARN,
        fromSequence: 1,
        toSequence: 50,
        exportedAt: EXPORTED_AT,
      }),
      links: 50,
      ownRecords: ownCount,
      digests: 5,
      lastAnchoredSequence: 50,
      unanchoredLinks: 0,
      signers: [fingerprint],
    };
    expect(report).toEqual(expected);
    expect(ownCount).toBe(34);
  });

  it('should report the links after the last digest as unanchored when the range ends between digests', async () => {
    const report = await verifyAuditExport(exportOf(genuineChain, genuineDigests, 15, 47));
    expect(report).toMatchObject({
      ok: true,
      links: 33,
      digests: 3,
      lastAnchoredSequence: 40,
      unanchoredLinks: 7,
    });
  });

  it('should accept when no digest covers the range and report every link unanchored', async () => {
    const report = await verifyAuditExport(exportOf(genuineChain, new Map()));
    expect(report).toMatchObject({
      ok: true,
      links: 50,
      digests: 0,
      lastAnchoredSequence: null,
      unanchoredLinks: 50,
      signers: [],
    });
  });

  it('should accept when a digest comes before the link it covers', async () => {
    const lines = exportOf();
    const d = indexOf(lines, 30, 'digest');
    const [digest] = lines.splice(d, 1);
    lines.splice(indexOf(lines, 25), 0, digest!);
    expect(await verifyAuditExport(lines)).toMatchObject({ ok: true, digests: 5, lastAnchoredSequence: 50 });
  });

  it('should read an async iterable when given one', async () => {
    async function* lines() {
      for (const l of exportOf()) yield l;
    }
    expect((await verifyAuditExport(lines())).ok).toBe(true);
  });

  const rewritten = (() => {
    const records = [...genuineRecords];
    records[21] = record(22, TENANT, 'AccessDeniedException'); // record 22 is the tenant's
    return chainOf(records);
  })();

  type Case = [
    name: string,
    lines: () => string[],
    opts: { publicKey?: string },
    sequence: number | null,
    line: (l: string[]) => number,
    reason: string,
  ];
  const lineOf =
    (sequence: number, kind: 'link' | 'digest' = 'link') =>
    (l: string[]) =>
      indexOf(l, sequence, kind) + 1;
  const cases: Case[] = [
    [
      'a link line was deleted',
      () => exportOf().filter((_, i, all) => i !== indexOf(all, 17)),
      {},
      17,
      lineOf(18),
      'record 17 is missing',
    ],
    [
      'an own record was altered',
      () =>
        replaceLink(
          exportOf(),
          22,
          (v) => (v['r'] = String(v['r']).replace('"ok"', '"AccessDeniedException"')),
        ),
      {},
      22,
      lineOf(22),
      'record 22 was altered',
    ],
    [
      'two own records swapped their contents',
      () =>
        replaceLink(
          replaceLink(exportOf(), 22, (v) => (v['r'] = genuineRecords[25])),
          26,
          (v) => (v['r'] = genuineRecords[21]),
        ),
      {},
      22,
      lineOf(22),
      'record 22 was altered',
    ],
    [
      'two own link lines were swapped',
      () => {
        const l = exportOf();
        const [a, b] = [indexOf(l, 22), indexOf(l, 26)];
        [l[a], l[b]] = [l[b]!, l[a]!];
        return l;
      },
      {},
      22,
      lineOf(26),
      'record 22 is missing',
    ],
    [
      'a forged record was inserted in the middle',
      () => {
        const l = exportOf();
        const prev = genuineChain[24]!.hash;
        const forged = record(26, TENANT);
        l.splice(
          indexOf(l, 26),
          0,
          formatLink(
            { sequence: 26, prevHash: prev, hash: chainHash(prev, 26, forged), record: forged },
            true,
          ),
        );
        return l;
      },
      {},
      26,
      (l) => indexOf(l, 26) + 2,
      'record 26 is out of order: record 27 was expected',
    ],
    [
      'the chain was rewritten after a change (only the digest catches it)',
      () => exportOf(rewritten, genuineDigests),
      {},
      30,
      lineOf(30, 'digest'),
      'digest at 30 does not match the chain: records up to 30 were rewritten',
    ],
    [
      'a digest was edited to match a rewritten chain (forged signature)',
      () => {
        const forged = new Map(genuineDigests);
        const d = forged.get(30)!;
        forged.set(30, { ...d, document: { ...d.document, hash: rewritten[29]!.hash } });
        return exportOf(rewritten, forged);
      },
      {},
      30,
      lineOf(30, 'digest'),
      'digest at 30: bad signature',
    ],
    [
      'the digests were signed again by another key than the pinned one',
      () => exportOf(rewritten, digestsOf(rewritten, attacker)),
      { publicKey: key.publicKey },
      10,
      lineOf(10, 'digest'),
      'digest at 10: not the pinned key',
    ],
    [
      'the file was truncated after a line',
      () => exportOf().slice(0, indexOf(exportOf(), 45)),
      {},
      45,
      (l) => l.length + 1,
      'record 45 is missing: the export ends after record 44 but announces records 1 to 50',
    ],
    [
      'the file was cut in the middle of a line',
      () => {
        const l = exportOf().slice(0, indexOf(exportOf(), 45) + 1);
        l[l.length - 1] = l[l.length - 1]!.slice(0, 100);
        return l;
      },
      {},
      null,
      (l) => l.length,
      `is not JSON`,
    ],
    [
      'links were added after toSequence',
      () => {
        const last = genuineChain[49]!;
        const extra = record(51, TENANT);
        return [
          ...exportOf(),
          formatLink(
            { sequence: 51, prevHash: last.hash, hash: chainHash(last.hash, 51, extra), record: extra },
            true,
          ),
        ];
      },
      {},
      51,
      (l) => l.length,
      'record 51 is past the end of the export: it announces records 1 to 50',
    ],
    [
      'the first link does not start at the genesis hash',
      () => replaceLink(exportOf(), 1, (v) => (v['p'] = 'f'.repeat(64))),
      {},
      1,
      lineOf(1),
      'record 1 does not start the chain',
    ],
    [
      'a foreign link was changed without the next one',
      () => replaceLink(exportOf(), 9, (v) => (v['h'] = 'e'.repeat(64))),
      {},
      10,
      lineOf(10),
      'record 10 does not follow record 9',
    ],
    [
      'a link repeats an earlier sequence',
      () => {
        const l = exportOf();
        l.splice(indexOf(l, 13), 0, l[indexOf(l, 12)]!);
        return l;
      },
      {},
      12,
      (l) => indexOf(l, 13),
      'record 12 is out of order: record 13 was expected',
    ],
    [
      'a digest comes after a later link',
      () => {
        const l = exportOf();
        const [d] = l.splice(indexOf(l, 20, 'digest'), 1);
        l.splice(indexOf(l, 21) + 1, 0, d!);
        return l;
      },
      {},
      20,
      (l) => indexOf(l, 20, 'digest') + 1,
      'digest at 20 comes after record 21',
    ],
    [
      'a digest covers a record outside the range',
      () => exportOf(genuineChain, genuineDigests, 15, 47).concat(formatDigest(genuineDigests.get(50)!)),
      {},
      50,
      (l) => l.length,
      "digest at 50 is outside the export's records 15 to 47",
    ],
    [
      'a digest line holds another document type',
      () => {
        const l = exportOf();
        const receipt = shredReceipt({
          keyArn: KEY_ARN,
          versions: [{ version: 1, ektSha256: 'a'.repeat(64), domainGeneration: 1 }],
          shreddedAt: EXPORTED_AT,
          nodeId: 'hsm-1',
          tokenLabel: 't',
          evictedCopies: 0,
          pendingGenerations: [1],
        });
        const signed = {
          document: receipt,
          signature: sign(null, signingBytes(receipt), key.privateKey).toString('base64'),
          publicKey: key.publicKey,
        };
        l.splice(3, 0, JSON.stringify({ digest: signed }));
        return l;
      },
      {},
      null,
      () => 4,
      'digest at ?: wrong type',
    ],
    [
      'a link line is malformed',
      () => replaceLink(exportOf(), 5, (v) => (v['h'] = 42)),
      {},
      5,
      lineOf(5),
      'record 5 is malformed',
    ],
    [
      'a line is empty',
      () => [...exportOf().slice(0, 3), '', ...exportOf().slice(3)],
      {},
      null,
      () => 4,
      'line 4 is not JSON',
    ],
    [
      'a line is neither a link nor a digest',
      () => [...exportOf().slice(0, 3), '{"x":1}'],
      {},
      null,
      () => 4,
      'line 4 is neither a link nor a digest',
    ],
    [
      'the header is not JSON',
      () => ['{"format"', ...exportOf().slice(1)],
      {},
      null,
      () => 1,
      'malformed header: line 1 is not JSON',
    ],
    [
      'the header has an unknown format',
      () => [exportOf()[0]!.replace('audit-export.v1', 'audit-export.v9'), ...exportOf().slice(1)],
      {},
      null,
      () => 1,
      'unknown format "symbolon.audit-export.v9"',
    ],
    [
      'the header has a malformed field',
      () => [exportOf()[0]!.replace(`"tenantId":"${TENANT}"`, '"tenantId":"1"'), ...exportOf().slice(1)],
      {},
      null,
      () => 1,
      'malformed header: audit export tenantId must be 12 digits',
    ],
    ['the export is empty', () => [], {}, null, () => 1, 'malformed header: the export is empty'],
    [
      'the export has a header but no link',
      () => exportOf().slice(0, 1),
      {},
      1,
      () => 2,
      'record 1 is missing: the export ends after no record but announces records 1 to 50',
    ],
  ];

  it.each(cases)('should name the break when %s', async (_name, build, opts, sequence, line, reason) => {
    const lines = build();
    const report = await verifyAuditExport(lines, opts);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toEqual({
      sequence,
      line: line(lines),
      reason: expect.stringContaining(reason),
    });
  });

  it('should accept but name the other signer when a rewritten chain is signed again and no key is pinned', async () => {
    const report = await verifyAuditExport(exportOf(rewritten, digestsOf(rewritten, attacker)));
    expect(report).toMatchObject({ ok: true, signers: [publicKeyFingerprint(attacker.publicKey)] });
  });

  it('should count what was verified before the break when it stops', async () => {
    const lines = exportOf(rewritten, genuineDigests);
    const report = await verifyAuditExport(lines);
    expect(report).toMatchObject({ links: 30, digests: 2, lastAnchoredSequence: 20, unanchoredLinks: 10 });
  });

  it('should refuse when more digests wait for their records than it holds', async () => {
    const l = exportOf().slice(0, 1);
    for (let s = 1; s <= MAX_PENDING_DIGESTS + 1; s++)
      l.push(formatDigest(signDigest(key, s, 'a'.repeat(64))));
    const header = auditExportHeader({
      tenantId: TENANT,
      keyArn: null,
      fromSequence: 1,
      toSequence: 5000,
      exportedAt: EXPORTED_AT,
    });
    l[0] = JSON.stringify(header);
    const report = await verifyAuditExport(l);
    expect(report.firstBreak).toEqual({
      sequence: MAX_PENDING_DIGESTS + 1,
      line: MAX_PENDING_DIGESTS + 2,
      reason: `digest at ${MAX_PENDING_DIGESTS + 1}: more than ${MAX_PENDING_DIGESTS} digests ahead of their records`,
    });
  });
});

describe('readLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should give each line without its line end when reading a file', async () => {
    const file = join(dir, 'lines.txt');
    writeFileSync(file, 'a\r\nb\n\nc');
    const seen: string[] = [];
    for await (const l of readLines(file)) seen.push(l);
    expect(seen).toEqual(['a', 'b', '', 'c']);
  });

  it('should verify an export when reading it from a file', async () => {
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, `${exportOf().join('\n')}\n`);
    expect(await verifyAuditExport(readLines(file), { publicKey: key.publicKey })).toMatchObject({
      ok: true,
      links: 50,
    });
  });

  it('should reject when the file does not exist', async () => {
    await expect(verifyAuditExport(readLines(join(dir, 'missing.jsonl')))).rejects.toThrow('ENOENT');
  });
});
