import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { type ChainLink, GENESIS_HASH, chainHash } from './chain.js';
import { type AuditDigest, type Signed, verifyAuditDigest, type Pinned } from './documents.js';
import { EvidenceError, needs } from './needs.js';
import { HASH_HEX, KEY_ARN, isCount, isIsoUtc } from './patterns.js';

/**
 * An audit export: JSON lines. Line 1 is the header; then one link line per sequence from fromSequence to toSequence,
 * in order, `{"s":seq,"p":prevHash,"h":hash}` plus `"r":record` when the record is the tenant's own (others' records
 * are links only: hashes, never content); digest lines `{"digest":Signed<AuditDigest>}` anywhere after the header,
 * at the latest right after the link they cover (the exporter writes each right after that link).
 */
export const AUDIT_EXPORT_FORMAT = 'symbolon.audit-export.v1';

export interface AuditExportHeader {
  format: typeof AUDIT_EXPORT_FORMAT;
  /** The tenant (12-digit account id) whose records the export holds. */
  tenantId: string;
  /** The key whose records the export holds, or null for all the tenant's records. */
  keyArn: string | null;
  fromSequence: number;
  toSequence: number;
  exportedAt: string;
}

/** Digests held for records not yet read; more means the file is not an exporter's (they follow their link). */
export const MAX_PENDING_DIGESTS = 1024;

const TENANT_ID = /^\d{12}$/;

/** Builds a header, checking every field. */
export function auditExportHeader(fields: Omit<AuditExportHeader, 'format'>): AuditExportHeader {
  /* Precondition: the tenant is a 12-digit account id. */
  needs(
    typeof fields.tenantId === 'string' && TENANT_ID.test(fields.tenantId),
    'audit export tenantId must be 12 digits',
  );
  /* Precondition: the key, when named, is a KMS key ARN. */
  needs(
    fields.keyArn === null || (typeof fields.keyArn === 'string' && KEY_ARN.test(fields.keyArn)),
    'audit export keyArn must be null or arn:<partition>:kms:<region>:<12 digits>:key/<id>',
  );
  /* Precondition: the range starts at a record of the chain. */
  needs(isCount(fields.fromSequence, 1), 'audit export fromSequence must be a safe integer of at least 1');
  /* Precondition: the range holds at least one record. */
  needs(
    isCount(fields.toSequence, 1) && fields.toSequence >= fields.fromSequence,
    'audit export toSequence must be a safe integer of at least fromSequence',
  );
  /* Precondition: the export time is an ISO 8601 UTC instant. */
  needs(isIsoUtc(fields.exportedAt), 'audit export exportedAt must be an ISO 8601 UTC time');
  return {
    format: AUDIT_EXPORT_FORMAT,
    tenantId: fields.tenantId,
    keyArn: fields.keyArn,
    fromSequence: fields.fromSequence,
    toSequence: fields.toSequence,
    exportedAt: fields.exportedAt,
  };
}

/** Line 1 of an export (no newline). */
export function formatExportHeader(header: Omit<AuditExportHeader, 'format'>): string {
  return JSON.stringify(auditExportHeader(header));
}

/**
 * One link line (no newline). `own` says whether the record is the exporting tenant's: only then is its content
 * written; any other record appears as its hashes only. Required on purpose, so that no caller can leak another
 * tenant's record by passing a stored link as it is.
 */
export function formatLink(link: ChainLink, own: boolean): string {
  /* Precondition: the link is a record of the chain (sequences start at 1). */
  needs(isCount(link.sequence, 1), 'audit export link sequence must be a safe integer of at least 1');
  /* Precondition: both hashes are chain hashes (so they need no escaping). */
  needs(
    HASH_HEX.test(link.prevHash) && HASH_HEX.test(link.hash),
    'audit export link hashes must be 64 lowercase hex digits',
  );
  const head = `{"s":${link.sequence},"p":"${link.prevHash}","h":"${link.hash}"`;
  if (!own) return `${head}}`;
  /* Precondition: an own record is written with its content. */
  needs(typeof link.record === 'string', 'audit export own record must be a string');
  return `${head},"r":${JSON.stringify(link.record)}}`;
}

/** One digest line (no newline). */
export function formatDigest(digest: Signed<AuditDigest>): string {
  return JSON.stringify({
    digest: { document: digest.document, signature: digest.signature, publicKey: digest.publicKey },
  });
}

export interface AuditVerifyBreak {
  /** The record (or digest's record) at fault; null when the line names none (header, unreadable line). */
  sequence: number | null;
  /** 1-based line number (one past the last line when lines are missing at the end). */
  line: number;
  reason: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** The header, when it was read. */
  header: AuditExportHeader | null;
  links: number;
  ownRecords: number;
  /** Digests whose signature and chain hash were checked. */
  digests: number;
  /** Highest sequence covered by a valid digest: every link up to it is anchored by a signature. */
  lastAnchoredSequence: number | null;
  /** Links after lastAnchoredSequence: verified as a chain but not (yet) covered by a signed digest. */
  unanchoredLinks: number;
  /** Fingerprints (publicKeyFingerprint) of the keys that signed the valid digests, in order of appearance. */
  signers: string[];
  firstBreak?: AuditVerifyBreak;
}

interface PendingDigest {
  hash: string;
  line: number;
}

class Break extends Error {
  constructor(
    readonly sequence: number | null,
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Verifies an export in one pass and constant memory (at most MAX_PENDING_DIGESTS digests are held), stopping at
 * the first break. Checks: header, consecutive sequences, each link's prevHash against the previous link's hash (the
 * genesis hash for record 1), each own record's hash, each digest's signature (Ed25519; the pinned key when given)
 * and its hash against the link it covers. A link whose record is not included cannot be recomputed: the chain
 * vouches for it only through the links and digests after it.
 */
export async function verifyAuditExport(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: { publicKey?: Pinned } = {},
): Promise<AuditVerifyReport> {
  let header: AuditExportHeader | null = null;
  let lineNo = 0;
  let links = 0;
  let ownRecords = 0;
  let digests = 0;
  let lastAnchored: number | null = null;
  /** The last link read: its sequence and hash. */
  let lastSeq = 0;
  let lastHash: string | null = null;
  const signers = new Set<string>();
  const pending = new Map<number, PendingDigest[]>();
  let firstBreak: AuditVerifyBreak | undefined;

  const checkDigest = (sequence: number, hash: string, d: PendingDigest): void => {
    if (d.hash !== hash) {
      throw new Break(
        sequence,
        d.line,
        `digest at ${sequence} does not match the chain: records up to ${sequence} were rewritten`,
      );
    }
    digests++;
    if (lastAnchored === null || sequence > lastAnchored) lastAnchored = sequence;
  };

  try {
    for await (const line of lines) {
      lineNo++;
      if (header === null) {
        header = readHeader(line);
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new Break(null, lineNo, `line ${lineNo} is not JSON`);
      }
      if (typeof v !== 'object' || v === null)
        throw new Break(null, lineNo, `line ${lineNo} is not a JSON object`);
      const o = v as Record<string, unknown>;
      const s = o['s'];
      if (typeof s === 'number') {
        // ---- a link ----
        const { fromSequence: from, toSequence: to } = header;
        if (!Number.isSafeInteger(s) || s < 1)
          throw new Break(null, lineNo, `line ${lineNo}: s is not a sequence`);
        const p = o['p'];
        const h = o['h'];
        const r = o['r'];
        if (
          typeof p !== 'string' ||
          typeof h !== 'string' ||
          !HASH_HEX.test(h) ||
          (r !== undefined && typeof r !== 'string') ||
          o['digest'] !== undefined
        ) {
          throw new Break(s, lineNo, `record ${s} is malformed: p and h must be hashes, r a string`);
        }
        const expected = lastHash === null ? from : lastSeq + 1;
        if (expected > to) {
          throw new Break(
            s,
            lineNo,
            `record ${s} is past the end of the export: it announces records ${from} to ${to}`,
          );
        }
        if (s !== expected) {
          if (s > expected) throw new Break(expected, lineNo, `record ${expected} is missing`);
          throw new Break(s, lineNo, `record ${s} is out of order: record ${expected} was expected`);
        }
        if (lastHash === null) {
          if (!HASH_HEX.test(p)) throw new Break(s, lineNo, `record ${s} is malformed: p must be a hash`);
          if (s === 1 && p !== GENESIS_HASH) {
            throw new Break(
              s,
              lineNo,
              'record 1 does not start the chain: its previous hash is not the genesis hash',
            );
          }
        } else if (p !== lastHash) {
          throw new Break(s, lineNo, `record ${s} does not follow record ${lastSeq}`);
        }
        if (r !== undefined) {
          if (chainHash(p, s, r) !== h) throw new Break(s, lineNo, `record ${s} was altered`);
          ownRecords++;
        }
        links++;
        lastSeq = s;
        lastHash = h;
        if (pending.size > 0) {
          const waiting = pending.get(s);
          if (waiting) {
            pending.delete(s);
            for (const d of waiting) checkDigest(s, h, d);
          }
        }
      } else if (o['digest'] !== undefined && s === undefined) {
        // ---- a digest ----
        const signed = o['digest'] as Signed<AuditDigest>;
        const claimed = (signed as { document?: { sequence?: unknown } } | null)?.document?.sequence;
        const at = isCount(claimed, 1) ? claimed : null;
        const verdict = verifyAuditDigest(signed, opts.publicKey);
        if (!verdict.ok) throw new Break(at, lineNo, `digest at ${at ?? '?'}: ${verdict.reason}`);
        signers.add(verdict.fingerprint);
        const { sequence, hash } = signed.document;
        const { fromSequence: from, toSequence: to } = header;
        if (sequence < from || sequence > to) {
          throw new Break(
            sequence,
            lineNo,
            `digest at ${sequence} is outside the export's records ${from} to ${to}`,
          );
        }
        const d = { hash, line: lineNo };
        if (lastHash !== null && sequence === lastSeq) {
          checkDigest(sequence, lastHash, d);
        } else if (lastHash === null || sequence > lastSeq) {
          const waiting = pending.get(sequence);
          if (waiting) waiting.push(d);
          else {
            if (pending.size >= MAX_PENDING_DIGESTS) {
              throw new Break(
                sequence,
                lineNo,
                `digest at ${sequence}: more than ${MAX_PENDING_DIGESTS} digests ahead of their records`,
              );
            }
            pending.set(sequence, [d]);
          }
        } else {
          throw new Break(
            sequence,
            lineNo,
            `digest at ${sequence} comes after record ${lastSeq}: a digest must come before or right after the record it covers`,
          );
        }
      } else {
        throw new Break(null, lineNo, `line ${lineNo} is neither a link nor a digest`);
      }
    }
    if (header === null) throw new Break(null, 1, 'malformed header: the export is empty');
    const { fromSequence: from, toSequence: to } = header;
    const next = lastHash === null ? from : lastSeq + 1;
    if (next <= to) {
      const read = lastHash === null ? 'no record' : `record ${lastSeq}`;
      throw new Break(
        next,
        lineNo + 1,
        `record ${next} is missing: the export ends after ${read} but announces records ${from} to ${to}`,
      );
    }
  } catch (e) {
    if (!(e instanceof Break)) throw e;
    firstBreak = { sequence: e.sequence, line: e.line, reason: e.message };
  }
  return {
    ok: firstBreak === undefined,
    header,
    links,
    ownRecords,
    digests,
    lastAnchoredSequence: lastAnchored,
    unanchoredLinks: lastAnchored === null ? links : lastSeq - lastAnchored,
    signers: [...signers],
    ...(firstBreak ? { firstBreak } : {}),
  };
}

function readHeader(line: string): AuditExportHeader {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Break(null, 1, 'malformed header: line 1 is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Break(null, 1, 'malformed header: line 1 is not a JSON object');
  }
  const format = (v as { format?: unknown }).format;
  if (format !== AUDIT_EXPORT_FORMAT) {
    const named = typeof format === 'string' ? JSON.stringify(format.slice(0, 64)) : 'none';
    throw new Break(null, 1, `unknown format ${named}: expected ${AUDIT_EXPORT_FORMAT}`);
  }
  try {
    return auditExportHeader(v as AuditExportHeader);
  } catch (e) {
    if (e instanceof EvidenceError) throw new Break(null, 1, `malformed header: ${e.message}`);
    throw e;
  }
}

/** The lines of a file (without their line ends), read as a stream: for the CLI's `symbolon audit verify`. */
export function readLines(path: string): AsyncIterable<string> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // A reader that stops early (a break) closes the interface: release the file too.
  lines.once('close', () => input.destroy());
  return lines;
}
