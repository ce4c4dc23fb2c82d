import { describe, expect, it } from '@jest/globals';
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';

import { canonicalJson, signingBytes } from './canonical.js';
import {
  AUDIT_DIGEST_TYPE,
  type AuditDigest,
  SHRED_COMPLETION_TYPE,
  SHRED_RECEIPT_TYPE,
  type ShredCompletion,
  type ShredReceipt,
  type Signed,
  auditDigest,
  publicKeyFingerprint,
  receiptSha256,
  shredCompletion,
  shredReceipt,
  verifyAuditDigest,
  verifyShredReceipt,
  verifySigned,
} from './documents.js';
import { EvidenceError } from './needs.js';

/** RFC 8032 test 1 public key (SPKI DER, base64); the vector below was also signed with `openssl pkeyutl -rawin`. */
const RFC8032_PUBLIC_KEY = 'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
const RFC8032_FINGERPRINT = 'SHA256:BuP9j9opu2CrWVV95h7bCuzbIxE0vjDnW0Vfjht5L6k';
const VECTOR_TEXT =
  '{"hash":"abababababababababababababababababababababababababababababababab","nodeId":"hsm-1","sequence":10000,' +
  '"time":"2025-01-31T12:00:00.000Z","type":"symbolon.audit-digest.v1"}';
const VECTOR_SIGNATURE =
  'J1mZC47aIsNR7TOfMbDC6QQ5c5VLWcfpajllhvdevf8ZFGC4tHOV6PjuUWFtrl3A1w7JXBiNSRgPd1HlVb1xAQ==';

const HASH = 'ab'.repeat(32);
const ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface TestSigner {
  publicKey: string;
  sign<T>(document: T): Signed<T>;
}

function signer(): TestSigner {
  const pair = generateKeyPairSync('ed25519');
  const publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return { publicKey, sign: (document) => signWith(pair.privateKey, publicKey, document) };
}

function signWith<T>(privateKey: KeyObject, publicKey: string, document: T): Signed<T> {
  return {
    document,
    signature: sign(null, signingBytes(document), privateKey).toString('base64'),
    publicKey,
  };
}

const digestFields = (): Omit<AuditDigest, 'type'> => ({
  sequence: 10_000,
  hash: HASH,
  time: '2025-01-31T12:00:00.000Z',
  nodeId: 'hsm-1',
});

const receiptFields = (): Omit<ShredReceipt, 'type'> => ({
  keyArn: ARN,
  versions: [
    { version: 1, ektSha256: 'a1'.repeat(32), domainGeneration: 1 },
    { version: 2, ektSha256: 'b2'.repeat(32), domainGeneration: 2 },
  ],
  shreddedAt: '2025-02-01T08:30:00Z',
  nodeId: 'hsm-1',
  tokenLabel: 'symbolon-hsm-1',
  evictedCopies: 2,
  pendingGenerations: [1, 2],
});

describe('auditDigest', () => {
  it('should build the document with its type when every field is valid', () => {
    expect(auditDigest({ ...digestFields(), extra: 1 } as Omit<AuditDigest, 'type'>)).toEqual({
      type: AUDIT_DIGEST_TYPE,
      ...digestFields(),
    });
  });

  it('should give the pinned canonical text when built from the vector fields', () => {
    expect(canonicalJson(auditDigest(digestFields()))).toBe(VECTOR_TEXT);
  });

  it('audit digest sequence must be a safe integer of at least 1', () => {
    for (const sequence of [0, -1, 1.5, 2 ** 53, Number.NaN, '3' as unknown as number]) {
      expect(() => auditDigest({ ...digestFields(), sequence })).toThrow(
        new EvidenceError('audit digest sequence must be a safe integer of at least 1'),
      );
    }
  });

  it('audit digest hash must be 64 lowercase hex digits', () => {
    for (const hash of ['AB'.repeat(32), 'ab'.repeat(31), `${HASH}0`, 'zz'.repeat(32), '']) {
      expect(() => auditDigest({ ...digestFields(), hash })).toThrow(
        'audit digest hash must be 64 lowercase hex digits',
      );
    }
  });

  it('audit digest time must be an ISO 8601 UTC time', () => {
    for (const time of ['2025-01-31', '2025-01-31T12:00:00+01:00', '2025-02-30T12:00:00Z', 'yesterday', '']) {
      expect(() => auditDigest({ ...digestFields(), time })).toThrow(
        'audit digest time must be an ISO 8601 UTC time',
      );
    }
  });

  it('audit digest nodeId must be a non-empty string of at most 256 characters', () => {
    for (const nodeId of ['', 'x'.repeat(257), 7 as unknown as string]) {
      expect(() => auditDigest({ ...digestFields(), nodeId })).toThrow(
        'audit digest nodeId must be a non-empty string of at most 256 characters',
      );
    }
  });
});

describe('shredReceipt', () => {
  it('should build the document with its type when every field is valid', () => {
    expect(shredReceipt(receiptFields())).toEqual({ type: SHRED_RECEIPT_TYPE, ...receiptFields() });
  });

  it('should accept no pending generations when no backup holds a copy', () => {
    expect(shredReceipt({ ...receiptFields(), pendingGenerations: [] }).pendingGenerations).toEqual([]);
  });

  it('shred receipt keyArn must be arn:<partition>:kms:<region>:<12 digits>:key/<id>', () => {
    for (const keyArn of [
      'arn:aws:kms:us-east-1:12345678901:key/abc',
      'arn:aws:kms:us-east-1:123456789012:alias/abc',
      'arn:aws:s3:us-east-1:123456789012:key/abc',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    ]) {
      expect(() => shredReceipt({ ...receiptFields(), keyArn })).toThrow(
        'shred receipt keyArn must be arn:<partition>:kms:<region>:<12 digits>:key/<id>',
      );
    }
  });

  it('shred receipt versions must be a non-empty array', () => {
    for (const versions of [[], undefined as unknown as []]) {
      expect(() => shredReceipt({ ...receiptFields(), versions })).toThrow(
        'shred receipt versions must be a non-empty array',
      );
    }
  });

  it('shred receipt versions must hold objects', () => {
    expect(() => shredReceipt({ ...receiptFields(), versions: [null as unknown as never] })).toThrow(
      'shred receipt versions must hold objects',
    );
  });

  it('shred receipt versions must be sorted by version without duplicates', () => {
    const [a, b] = receiptFields().versions;
    for (const versions of [
      [b!, a!],
      [a!, a!],
    ]) {
      expect(() => shredReceipt({ ...receiptFields(), versions })).toThrow(
        'shred receipt versions must be sorted by version without duplicates',
      );
    }
  });

  it('shred receipt version must be a safe integer of at least 1', () => {
    const v = receiptFields().versions[0]!;
    expect(() => shredReceipt({ ...receiptFields(), versions: [{ ...v, version: 0 }] })).toThrow(
      'shred receipt version must be a safe integer of at least 1',
    );
  });

  it('shred receipt ektSha256 must be 64 lowercase hex digits', () => {
    const v = receiptFields().versions[0]!;
    expect(() =>
      shredReceipt({ ...receiptFields(), versions: [{ ...v, ektSha256: 'A1'.repeat(32) }] }),
    ).toThrow('shred receipt ektSha256 must be 64 lowercase hex digits');
  });

  it('shred receipt domainGeneration must be a safe integer of at least 1', () => {
    const v = receiptFields().versions[0]!;
    expect(() => shredReceipt({ ...receiptFields(), versions: [{ ...v, domainGeneration: 0 }] })).toThrow(
      'shred receipt domainGeneration must be a safe integer of at least 1',
    );
  });

  it('shred receipt shreddedAt must be an ISO 8601 UTC time', () => {
    expect(() => shredReceipt({ ...receiptFields(), shreddedAt: '2025-13-01T00:00:00Z' })).toThrow(
      'shred receipt shreddedAt must be an ISO 8601 UTC time',
    );
  });

  it('shred receipt nodeId must be a non-empty string of at most 256 characters', () => {
    expect(() => shredReceipt({ ...receiptFields(), nodeId: '' })).toThrow(
      'shred receipt nodeId must be a non-empty string of at most 256 characters',
    );
  });

  it('shred receipt tokenLabel must be a non-empty string of at most 256 characters', () => {
    expect(() => shredReceipt({ ...receiptFields(), tokenLabel: '' })).toThrow(
      'shred receipt tokenLabel must be a non-empty string of at most 256 characters',
    );
  });

  it('shred receipt evictedCopies must be a safe integer of at least 0', () => {
    expect(() => shredReceipt({ ...receiptFields(), evictedCopies: -1 })).toThrow(
      'shred receipt evictedCopies must be a safe integer of at least 0',
    );
  });

  it('shred receipt pendingGenerations must be sorted unique safe integers of at least 1', () => {
    for (const pendingGenerations of [[2, 1], [1, 1], [0], null as unknown as number[]]) {
      expect(() => shredReceipt({ ...receiptFields(), pendingGenerations })).toThrow(
        'shred receipt pendingGenerations must be sorted unique safe integers of at least 1',
      );
    }
  });
});

describe('publicKeyFingerprint', () => {
  it('should be SHA256: and base64url of the SPKI DER digest when given a key', () => {
    expect(publicKeyFingerprint(RFC8032_PUBLIC_KEY)).toBe(RFC8032_FINGERPRINT);
  });

  it('should throw when the key is not base64', () => {
    expect(() => publicKeyFingerprint('not base64!')).toThrow(EvidenceError);
  });
});

describe('verifySigned', () => {
  const key = signer();
  const other = signer();
  const genuine = key.sign(auditDigest(digestFields()));

  it('should accept the pinned vector when signed elsewhere (openssl) over the canonical bytes', () => {
    const signed = {
      document: auditDigest(digestFields()),
      signature: VECTOR_SIGNATURE,
      publicKey: RFC8032_PUBLIC_KEY,
    };
    expect(verifySigned(signed, AUDIT_DIGEST_TYPE, RFC8032_PUBLIC_KEY)).toEqual({
      ok: true,
      fingerprint: RFC8032_FINGERPRINT,
    });
  });

  it('should accept and give the fingerprint when the signature is genuine', () => {
    expect(verifySigned(genuine, AUDIT_DIGEST_TYPE)).toEqual({
      ok: true,
      fingerprint: publicKeyFingerprint(key.publicKey),
    });
  });

  it('should accept when the document keys come in another order', () => {
    const d = genuine.document;
    const reordered = { nodeId: d.nodeId, time: d.time, type: d.type, hash: d.hash, sequence: d.sequence };
    expect(verifySigned({ ...genuine, document: reordered }, AUDIT_DIGEST_TYPE).ok).toBe(true);
  });

  it('should accept when the key is the pinned one', () => {
    expect(verifySigned(genuine, AUDIT_DIGEST_TYPE, key.publicKey).ok).toBe(true);
  });

  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[10] ^= 1;
    return bytes.toString('base64');
  };
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');

  it.each<[string, Signed<unknown>, string | undefined, string]>([
    [
      'the document was changed',
      { ...genuine, document: { ...genuine.document, sequence: 10_001 } },
      undefined,
      'bad signature',
    ],
    [
      'the signature was changed',
      { ...genuine, signature: flip(genuine.signature) },
      undefined,
      'bad signature',
    ],
    [
      'another key signed it',
      { ...other.sign(genuine.document), publicKey: key.publicKey },
      undefined,
      'bad signature',
    ],
    [
      'the type is wrong',
      key.sign({ ...genuine.document, type: SHRED_RECEIPT_TYPE }),
      undefined,
      'wrong type',
    ],
    ['the type is missing', key.sign({ sequence: 1 }), undefined, 'wrong type'],
    [
      'there is no document',
      { signature: genuine.signature, publicKey: key.publicKey } as Signed<unknown>,
      undefined,
      'malformed: no document',
    ],
    [
      'the signature is not base64',
      { ...genuine, signature: `${genuine.signature}!` },
      undefined,
      'malformed: signature',
    ],
    [
      'the signature is short',
      { ...genuine, signature: genuine.signature.slice(0, 84) },
      undefined,
      'malformed: signature',
    ],
    ['the key is not base64', { ...genuine, publicKey: 'x' }, undefined, 'malformed: publicKey'],
    [
      'the key is not SPKI DER',
      { ...genuine, publicKey: Buffer.from('not a key').toString('base64') },
      undefined,
      'malformed: publicKey',
    ],
    ['the key is not Ed25519', { ...genuine, publicKey: ecKey }, undefined, 'malformed: publicKey is ec'],
    [
      'the document has a fraction',
      { ...genuine, document: { ...genuine.document, sequence: 1.5 } },
      undefined,
      'malformed: canonical JSON',
    ],
    ['another key is pinned', genuine, other.publicKey, 'not the pinned key'],
    ['the pinned key is not base64', genuine, '%%%', 'malformed: the pinned public key'],
  ])('should refuse when %s', (_name, signed, pinned, reason) => {
    const r = verifySigned(signed, AUDIT_DIGEST_TYPE, pinned);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('should accept when one of several pinned keys signed it, and name them all when none did', () => {
    expect(verifySigned(genuine, AUDIT_DIGEST_TYPE, [other.publicKey, key.publicKey]).ok).toBe(true);
    const third = signer();
    const r = verifySigned(genuine, AUDIT_DIGEST_TYPE, [other.publicKey, third.publicKey]);
    expect(!r.ok && r.reason).toBe(
      `not the pinned key: signed by ${publicKeyFingerprint(key.publicKey)}, pinned ${publicKeyFingerprint(other.publicKey)}, ${publicKeyFingerprint(third.publicKey)}`,
    );
    expect(verifySigned(genuine, AUDIT_DIGEST_TYPE, []).ok).toBe(false);
  });

  it('should name both fingerprints when another key is pinned', () => {
    const r = verifySigned(genuine, AUDIT_DIGEST_TYPE, other.publicKey);
    expect(!r.ok && r.reason).toBe(
      `not the pinned key: signed by ${publicKeyFingerprint(key.publicKey)}, pinned ${publicKeyFingerprint(other.publicKey)}`,
    );
  });
});

describe('verifyAuditDigest', () => {
  const key = signer();

  it('should accept when the digest is genuine', () => {
    expect(verifyAuditDigest(key.sign(auditDigest(digestFields()))).ok).toBe(true);
  });

  it('should refuse when a signed digest has a malformed field', () => {
    const r = verifyAuditDigest(key.sign({ ...auditDigest(digestFields()), hash: 'nope' }));
    expect(r).toEqual({ ok: false, reason: 'malformed: audit digest hash must be 64 lowercase hex digits' });
  });
});

describe('verifyShredReceipt', () => {
  const key = signer();
  const other = signer();
  const genuine = key.sign(shredReceipt(receiptFields()));

  it('should accept, not as final without a completion, and list the pending generations when the receipt is genuine', () => {
    expect(verifyShredReceipt(genuine, { keyArn: ARN, publicKey: key.publicKey })).toEqual({
      ok: true,
      fingerprint: publicKeyFingerprint(key.publicKey),
      final: false,
      pendingGenerations: [1, 2],
    });
  });

  it('should accept when no key or ARN is given', () => {
    expect(verifyShredReceipt(genuine, {}).ok).toBe(true);
  });

  it.each<[string, Signed<ShredReceipt>, { keyArn?: string; publicKey?: string }, string]>([
    [
      'the type is wrong',
      key.sign({ ...auditDigest(digestFields()) } as unknown as ShredReceipt),
      {},
      'wrong type',
    ],
    [
      'the document is malformed',
      key.sign({ ...genuine.document, versions: [...genuine.document.versions].reverse() }),
      {},
      'malformed: shred receipt versions must be sorted by version without duplicates',
    ],
    ['it names another key', genuine, { keyArn: ARN.replace('1234abcd', 'ffffffff') }, 'another key'],
    [
      'the document was changed',
      { ...genuine, document: { ...genuine.document, evictedCopies: 0 } },
      {},
      'bad signature',
    ],
    ['another key is pinned', genuine, { publicKey: other.publicKey }, 'not the pinned key'],
  ])('should refuse when %s', (_name, signed, opts, reason) => {
    const r = verifyShredReceipt(signed, opts);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});

describe('shredCompletion', () => {
  const fields = (): Omit<ShredCompletion, 'type'> => ({
    keyArn: ARN,
    receiptSha256: receiptSha256(shredReceipt(receiptFields())),
    destroyedGenerations: [1, 2],
    completedAt: '2025-03-01T00:00:00.000Z',
    nodeId: 'hsm-1',
  });
  const refused = (change: Partial<ShredCompletion>, message: string) =>
    expect(() => shredCompletion({ ...fields(), ...change })).toThrow(message);

  it('should build the document with its type when every field is valid', () => {
    expect(shredCompletion(fields())).toEqual({ type: SHRED_COMPLETION_TYPE, ...fields() });
  });

  it('shred completion keyArn must be a key ARN', () => {
    refused({ keyArn: 'alias/x' }, 'shred completion keyArn must be a key ARN');
  });

  it('shred completion receiptSha256 must be 64 lowercase hex digits', () => {
    refused(
      { receiptSha256: 'AB'.repeat(32) },
      'shred completion receiptSha256 must be 64 lowercase hex digits',
    );
  });

  it('shred completion destroyedGenerations must be sorted unique safe integers of at least 1', () => {
    refused(
      { destroyedGenerations: [2, 1] },
      'shred completion destroyedGenerations must be sorted unique safe integers of at least 1',
    );
  });

  it('shred completion completedAt must be an ISO 8601 UTC time', () => {
    refused({ completedAt: 'yesterday' }, 'shred completion completedAt must be an ISO 8601 UTC time');
  });

  it('shred completion nodeId must be a non-empty string of at most 256 characters', () => {
    refused({ nodeId: '' }, 'shred completion nodeId must be a non-empty string of at most 256 characters');
  });
});

describe('verifyShredReceipt with a completion', () => {
  const key = signer();
  const other = signer();
  const receipt = key.sign(shredReceipt(receiptFields()));
  const completion = (change: Partial<ShredCompletion> = {}, by = key) =>
    by.sign(
      shredCompletion({
        keyArn: ARN,
        receiptSha256: receiptSha256(receipt.document),
        destroyedGenerations: [1, 2],
        completedAt: '2025-03-01T00:00:00.000Z',
        nodeId: 'hsm-1',
        ...change,
      }),
    );

  it('should call the shred final when a completion by the same key covers every pending generation', () => {
    expect(verifyShredReceipt(receipt, { keyArn: ARN, completion: completion() })).toEqual({
      ok: true,
      fingerprint: publicKeyFingerprint(key.publicKey),
      final: true,
      pendingGenerations: [],
    });
  });

  it.each<[string, Signed<ShredCompletion>, string]>([
    ['it completes another receipt', completion({ receiptSha256: 'cd'.repeat(32) }), 'another receipt'],
    [
      'a pending generation is left out',
      completion({ destroyedGenerations: [1] }),
      'generation 2 undestroyed',
    ],
    ['another key signed it', completion({}, other), 'completion: not the pinned key'],
    [
      'it was changed after signing',
      { ...completion(), document: { ...completion().document, destroyedGenerations: [1, 2, 3] } },
      'completion: bad signature',
    ],
  ])('should refuse when %s', (_name, c, reason) => {
    const r = verifyShredReceipt(receipt, { completion: c });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});
