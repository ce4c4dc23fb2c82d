import type { EnvelopeAuthority, EnvelopeHeader } from './format.js';

export const ID = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 ^ i);

export function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

export const KMS: EnvelopeAuthority = {
  id: 'corp-kms',
  type: 'kms',
  keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  endpoint: 'https://kms.example',
};
export const KMS2: EnvelopeAuthority = {
  id: 'aws',
  type: 'kms',
  keyArn: 'arn:aws:kms:us-east-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321',
};
export const CUSTOMER: EnvelopeAuthority = { id: 'my-key', type: 'customer-key', keyId: '5f0c1d2e3a4b5c6d' };

export function kms(i: number): EnvelopeAuthority {
  return { id: `kms-${i}`, type: 'kms', keyArn: `arn:aws:kms:eu-west-1:111122223333:alias/k${i}` };
}

/** One header per row of the specification's scheme table. */
export const SCHEMES: Record<string, EnvelopeHeader> = {
  'managed-then-customer': {
    id: ID,
    authorities: [KMS, CUSTOMER],
    context: { purpose: 'backup' },
    key: { chain: [0, 1], wrapped: bytes(60, 1) },
  },
  'customer-then-managed': {
    id: ID,
    authorities: [CUSTOMER, KMS],
    context: {},
    key: { chain: [0, 1], wrapped: bytes(200, 2) },
  },
  'two providers (key wrapped)': {
    id: ID,
    authorities: [KMS, KMS2],
    context: { tenant: 'acme', Ürün: '日本' },
    key: { chain: [1, 0], wrapped: bytes(300, 3) },
  },
  'two providers (body wrapped), inner': {
    id: ID,
    authorities: [KMS],
    context: {},
    key: { chain: [0], wrapped: bytes(150, 4) },
  },
  'two providers (body wrapped), outer': {
    id: Uint8Array.from({ length: 16 }, (_, i) => i),
    authorities: [KMS2],
    context: {},
    key: { chain: [0], wrapped: bytes(150, 5) },
  },
  'split key': {
    id: ID,
    authorities: [CUSTOMER, KMS],
    context: { purpose: 'escrow' },
    key: {
      split: [
        { chain: [0], wrapped: bytes(60, 6) },
        { chain: [1], wrapped: bytes(180, 7) },
      ],
    },
  },
  'N authorities, chain of 8': {
    id: ID,
    authorities: Array.from({ length: 8 }, (_, i) => kms(i)),
    context: {},
    key: { chain: [7, 6, 5, 4, 3, 2, 1, 0], wrapped: bytes(8192, 8) },
  },
  'N authorities, split of 8 chains over 16': {
    id: ID,
    authorities: Array.from({ length: 16 }, (_, i) => kms(i)),
    context: {},
    key: {
      split: Array.from({ length: 8 }, (_, i) => ({ chain: [2 * i, 2 * i + 1], wrapped: bytes(1, i) })),
    },
  },
};

/** A small valid header the negative tests change one thing of. */
export function valid(): EnvelopeHeader {
  return {
    id: ID,
    authorities: [KMS, CUSTOMER],
    context: { purpose: 'backup' },
    key: { chain: [0, 1], wrapped: bytes(60, 1) },
  };
}

/** An envelope (magic, version 1, length) whose header is the UTF-8 bytes of `json`, followed by `body`. */
export function envelopeOf(json: string, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(9 + text.length + body.length);
  out.set([0x53, 0x59, 0x4d, 0x45, 0x01], 0);
  new DataView(out.buffer).setUint32(5, text.length, false);
  out.set(text, 9);
  out.set(body, 9 + text.length);
  return out;
}

/** Test-side JSON with sorted keys (written independently of the module's canonicalJson; allows null and booleans). */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : sortedJson(v))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
