import { createHash, createPublicKey, verify } from 'node:crypto';

import { signingBytes } from './canonical.js';
import { EvidenceError, needs } from './needs.js';
import { HASH_HEX, KEY_ARN, isCount, isIsoUtc, isText } from './patterns.js';

export const AUDIT_DIGEST_TYPE = 'symbolon.audit-digest.v1';

/** The head of the audit hash chain at a moment, signed hourly by a token: `hash` is the hash of record `sequence`. */
export interface AuditDigest {
  type: typeof AUDIT_DIGEST_TYPE;
  sequence: number;
  /** 64 lowercase hex digits. */
  hash: string;
  /** ISO 8601 UTC, e.g. 2025-01-31T12:00:00.000Z. */
  time: string;
  nodeId: string;
}

export const SHRED_RECEIPT_TYPE = 'symbolon.shred-receipt.v1';

export interface ShreddedVersion {
  version: number;
  /** SHA-256 (lowercase hex) of the version's EKT as stored. */
  ektSha256: string;
  /** Domain-key generation that wrapped this EKT. */
  domainGeneration: number;
}

/** What a token destroyed when a key was shredded. */
export interface ShredReceipt {
  type: typeof SHRED_RECEIPT_TYPE;
  keyArn: string;
  /** Sorted by version, unique, at least one. */
  versions: ShreddedVersion[];
  shreddedAt: string;
  nodeId: string;
  tokenLabel: string;
  /** Cached copies the token evicted. */
  evictedCopies: number;
  /** Domain-key generations that still wrap copies of these versions in older database backups: the shred is final once every one is destroyed. */
  pendingGenerations: number[];
}

/** A document with an Ed25519 signature over signingBytes(document); signature (64 bytes raw) and SPKI DER key in base64. */
export interface Signed<T> {
  document: T;
  signature: string;
  publicKey: string;
}

export const SHRED_COMPLETION_TYPE = 'symbolon.shred-completion.v1';

/**
 * Signed by a token once every generation a shred receipt left pending is destroyed in it: from then on no copy of
 * the key's material, in any backup, can be unwrapped there.
 */
export interface ShredCompletion {
  type: typeof SHRED_COMPLETION_TYPE;
  keyArn: string;
  /** SHA-256 (hex) of the receipt's signing bytes: the receipt this completes. */
  receiptSha256: string;
  destroyedGenerations: number[];
  completedAt: string;
  nodeId: string;
}

export function shredCompletion(fields: Omit<ShredCompletion, 'type'>): ShredCompletion {
  /* Precondition: a completion names the key by its full KMS ARN. */
  needs(
    typeof fields.keyArn === 'string' && KEY_ARN.test(fields.keyArn),
    'shred completion keyArn must be a key ARN',
  );
  /* Precondition: a completion names its receipt by hash. */
  needs(
    typeof fields.receiptSha256 === 'string' && HASH_HEX.test(fields.receiptSha256),
    'shred completion receiptSha256 must be 64 lowercase hex digits',
  );
  /* Precondition: destroyed generations are listed once each, in order. */
  needs(
    Array.isArray(fields.destroyedGenerations) &&
      fields.destroyedGenerations.every((g) => isCount(g, 1)) &&
      isSortedUnique(fields.destroyedGenerations),
    'shred completion destroyedGenerations must be sorted unique safe integers of at least 1',
  );
  /* Precondition: the completion time is an ISO 8601 UTC instant. */
  needs(isIsoUtc(fields.completedAt), 'shred completion completedAt must be an ISO 8601 UTC time');
  /* Precondition: the signing node is named. */
  needs(
    isText(fields.nodeId),
    'shred completion nodeId must be a non-empty string of at most 256 characters',
  );
  return {
    type: SHRED_COMPLETION_TYPE,
    keyArn: fields.keyArn,
    receiptSha256: fields.receiptSha256,
    destroyedGenerations: [...fields.destroyedGenerations],
    completedAt: fields.completedAt,
    nodeId: fields.nodeId,
  };
}

/** The hash a completion names: SHA-256 of the receipt document's signing bytes, hex. */
export function receiptSha256(receipt: ShredReceipt): string {
  return createHash('sha256').update(signingBytes(receipt)).digest('hex');
}

export type VerifyResult = { ok: true; fingerprint: string } | { ok: false; reason: string };
export type ShredReceiptVerifyResult =
  | { ok: true; fingerprint: string; final: boolean; pendingGenerations: number[] }
  | { ok: false; reason: string };

const ED25519_SIGNATURE_BYTES = 64;

/** True when the list is strictly increasing. */
function isSortedUnique(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]! < list[i]!)) return false;
  return true;
}

/** Builds an audit digest document, checking every field. */
export function auditDigest(fields: Omit<AuditDigest, 'type'>): AuditDigest {
  /* Precondition: the digest covers a record of the chain (sequences start at 1). */
  needs(isCount(fields.sequence, 1), 'audit digest sequence must be a safe integer of at least 1');
  /* Precondition: the hash is a chain hash (SHA-256, lowercase hex). */
  needs(
    typeof fields.hash === 'string' && HASH_HEX.test(fields.hash),
    'audit digest hash must be 64 lowercase hex digits',
  );
  /* Precondition: the time is an ISO 8601 UTC instant. */
  needs(isIsoUtc(fields.time), 'audit digest time must be an ISO 8601 UTC time');
  /* Precondition: the signing node is named. */
  needs(isText(fields.nodeId), 'audit digest nodeId must be a non-empty string of at most 256 characters');
  return {
    type: AUDIT_DIGEST_TYPE,
    sequence: fields.sequence,
    hash: fields.hash,
    time: fields.time,
    nodeId: fields.nodeId,
  };
}

/** Builds a shred receipt document, checking every field. */
export function shredReceipt(fields: Omit<ShredReceipt, 'type'>): ShredReceipt {
  /* Precondition: the key is named by its full KMS ARN. */
  needs(
    typeof fields.keyArn === 'string' && KEY_ARN.test(fields.keyArn),
    'shred receipt keyArn must be arn:<partition>:kms:<region>:<12 digits>:key/<id>',
  );
  /* Precondition: a receipt names at least one shredded version. */
  needs(
    Array.isArray(fields.versions) && fields.versions.length > 0,
    'shred receipt versions must be a non-empty array',
  );
  const versions = fields.versions.map(shreddedVersion);
  /* Precondition: versions are listed once each, in order, so that equal receipts have equal bytes. */
  needs(
    isSortedUnique(versions.map((v) => v.version)),
    'shred receipt versions must be sorted by version without duplicates',
  );
  /* Precondition: the shred time is an ISO 8601 UTC instant. */
  needs(isIsoUtc(fields.shreddedAt), 'shred receipt shreddedAt must be an ISO 8601 UTC time');
  /* Precondition: the signing node is named. */
  needs(isText(fields.nodeId), 'shred receipt nodeId must be a non-empty string of at most 256 characters');
  /* Precondition: the token is named. */
  needs(
    isText(fields.tokenLabel),
    'shred receipt tokenLabel must be a non-empty string of at most 256 characters',
  );
  /* Precondition: the evicted copies are counted. */
  needs(isCount(fields.evictedCopies, 0), 'shred receipt evictedCopies must be a safe integer of at least 0');
  /* Precondition: pending generations are domain-key generations, listed once each, in order. */
  needs(
    Array.isArray(fields.pendingGenerations) &&
      fields.pendingGenerations.every((g) => isCount(g, 1)) &&
      isSortedUnique(fields.pendingGenerations),
    'shred receipt pendingGenerations must be sorted unique safe integers of at least 1',
  );
  return {
    type: SHRED_RECEIPT_TYPE,
    keyArn: fields.keyArn,
    versions,
    shreddedAt: fields.shreddedAt,
    nodeId: fields.nodeId,
    tokenLabel: fields.tokenLabel,
    evictedCopies: fields.evictedCopies,
    pendingGenerations: [...fields.pendingGenerations],
  };
}

function shreddedVersion(v: ShreddedVersion): ShreddedVersion {
  /* Precondition: each shredded version is an object. */
  needs(typeof v === 'object' && v !== null, 'shred receipt versions must hold objects');
  /* Precondition: key versions start at 1. */
  needs(isCount(v.version, 1), 'shred receipt version must be a safe integer of at least 1');
  /* Precondition: the EKT is named by its SHA-256. */
  needs(
    typeof v.ektSha256 === 'string' && HASH_HEX.test(v.ektSha256),
    'shred receipt ektSha256 must be 64 lowercase hex digits',
  );
  /* Precondition: domain-key generations start at 1. */
  needs(
    isCount(v.domainGeneration, 1),
    'shred receipt domainGeneration must be a safe integer of at least 1',
  );
  return { version: v.version, ektSha256: v.ektSha256, domainGeneration: v.domainGeneration };
}

/** Strict base64: decodes `text` only when re-encoding gives it back (Buffer.from alone skips junk characters). */
function strictBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** 'SHA256:' + base64url (no padding) of SHA-256 of the SPKI DER, like ssh's fingerprints. */
export function publicKeyFingerprint(publicKeyB64: string): string {
  const der = strictBase64(publicKeyB64);
  if (!der) throw new EvidenceError('public key must be base64 of a DER SubjectPublicKeyInfo');
  return fingerprintOf(der);
}

function fingerprintOf(der: Buffer): string {
  return `SHA256:${createHash('sha256').update(der).digest('base64url')}`;
}

function wrongType(expected: string, got: unknown): { ok: false; reason: string } {
  const named = typeof got === 'string' ? JSON.stringify(got.slice(0, 64)) : 'no type';
  return { ok: false, reason: `wrong type: expected ${expected}, got ${named}` };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a signed document: its type, the shape of the envelope, that the key is an Ed25519 SPKI key, the signature
 * over signingBytes(document), and (when given) that the key is the pinned one. Never throws: a reason says what is
 * wrong. Without a pinned key, `ok` only proves that the holder of the key with this fingerprint signed it.
 */
/**
 * The key, or the keys, a verifier pins: every token of a domain signs with its own key (GetSigningPublicKey lists
 * them), so a document verifies when one of them signed it.
 */
export type Pinned = string | readonly string[];

export function verifySigned<T>(
  signed: Signed<T>,
  expectedType: string,
  pinnedPublicKey?: Pinned,
): VerifyResult {
  const s: unknown = signed;
  if (!isObject(s) || !isObject(s['document'])) return { ok: false, reason: 'malformed: no document' };
  const type = s['document']['type'];
  if (type !== expectedType) return wrongType(expectedType, type);
  const der = strictBase64(s['publicKey']);
  if (!der) return { ok: false, reason: 'malformed: publicKey is not base64' };
  const signature = strictBase64(s['signature']);
  if (!signature || signature.length !== ED25519_SIGNATURE_BYTES) {
    return { ok: false, reason: 'malformed: signature is not 64 bytes of base64' };
  }
  let key;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return { ok: false, reason: 'malformed: publicKey is not a DER SubjectPublicKeyInfo' };
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { ok: false, reason: `malformed: publicKey is ${key.asymmetricKeyType ?? 'not'} an Ed25519 key` };
  }
  let bytes;
  try {
    bytes = signingBytes(s['document']);
  } catch (e) {
    return { ok: false, reason: `malformed: ${(e as Error).message}` };
  }
  const fingerprint = fingerprintOf(der);
  if (!verify(null, bytes, key, signature)) {
    return {
      ok: false,
      reason: `bad signature: the document was not signed by ${fingerprint}, or was changed`,
    };
  }
  if (pinnedPublicKey !== undefined) {
    const pinned = (typeof pinnedPublicKey === 'string' ? [pinnedPublicKey] : [...pinnedPublicKey]).map(
      strictBase64,
    );
    if (pinned.length === 0 || pinned.some((k) => !k)) {
      return { ok: false, reason: 'malformed: the pinned public key is not base64' };
    }
    if (!pinned.some((k) => k!.equals(der))) {
      return {
        ok: false,
        reason: `not the pinned key: signed by ${fingerprint}, pinned ${pinned.map((k) => fingerprintOf(k!)).join(', ')}`,
      };
    }
  }
  return { ok: true, fingerprint };
}

/** Checks a document's fields with its builder; undefined when they hold, else the builder's reason. */
function fieldsProblem(build: () => unknown): string | undefined {
  try {
    build();
    return undefined;
  } catch (e) {
    if (e instanceof EvidenceError) return e.message;
    throw e;
  }
}

/** verifySigned plus the audit digest's fields (as auditDigest checks them). */
export function verifyAuditDigest(signed: Signed<AuditDigest>, pinnedPublicKey?: Pinned): VerifyResult {
  const r = verifySigned(signed, AUDIT_DIGEST_TYPE, pinnedPublicKey);
  if (!r.ok) return r;
  const problem = fieldsProblem(() => auditDigest(signed.document));
  return problem ? { ok: false, reason: `malformed: ${problem}` } : r;
}

/**
 * Checks a shred receipt: type, fields, the key it names (when `keyArn` is given), signature, pinned key. A valid
 * receipt is never final by itself: the shred is final once every pending generation is destroyed, which the
 * receipt cannot show.
 */
export function verifyShredReceipt(
  signed: Signed<ShredReceipt>,
  opts: { keyArn?: string; publicKey?: Pinned; completion?: Signed<ShredCompletion> },
): ShredReceiptVerifyResult {
  const s: unknown = signed;
  if (!isObject(s) || !isObject(s['document'])) return { ok: false, reason: 'malformed: no document' };
  const doc = s['document'];
  if (doc['type'] !== SHRED_RECEIPT_TYPE) return wrongType(SHRED_RECEIPT_TYPE, doc['type']);
  const problem = fieldsProblem(() => shredReceipt(doc as unknown as ShredReceipt));
  if (problem) return { ok: false, reason: `malformed: ${problem}` };
  if (opts.keyArn !== undefined && doc['keyArn'] !== opts.keyArn) {
    return {
      ok: false,
      reason: `another key: the receipt is for ${String(doc['keyArn'])}, not ${opts.keyArn}`,
    };
  }
  const r = verifySigned(signed, SHRED_RECEIPT_TYPE, opts.publicKey);
  if (!r.ok) return r;
  const pendingGenerations = [...signed.document.pendingGenerations];
  if (opts.completion === undefined)
    return { ok: true, fingerprint: r.fingerprint, final: false, pendingGenerations };
  const c: unknown = opts.completion;
  if (!isObject(c) || !isObject(c['document']))
    return { ok: false, reason: 'malformed completion: no document' };
  const cdoc = c['document'];
  if (cdoc['type'] !== SHRED_COMPLETION_TYPE) return wrongType(SHRED_COMPLETION_TYPE, cdoc['type']);
  const cproblem = fieldsProblem(() => shredCompletion(cdoc as unknown as ShredCompletion));
  if (cproblem) return { ok: false, reason: `malformed completion: ${cproblem}` };
  const completion = opts.completion.document;
  if (
    completion.receiptSha256 !== receiptSha256(signed.document) ||
    completion.keyArn !== signed.document.keyArn
  ) {
    return { ok: false, reason: 'the completion is for another receipt' };
  }
  const missing = pendingGenerations.filter((g) => !completion.destroyedGenerations.includes(g));
  if (missing.length > 0) {
    return { ok: false, reason: `the completion leaves generation ${missing.join(', ')} undestroyed` };
  }
  // Signed by the token that signed the receipt (whose key, when keys are pinned, is one of them: checked above).
  const cr = verifySigned(opts.completion, SHRED_COMPLETION_TYPE, signed.publicKey);
  if (!cr.ok) return { ok: false, reason: `completion: ${cr.reason}` };
  return { ok: true, fingerprint: r.fingerprint, final: true, pendingGenerations: [] };
}
