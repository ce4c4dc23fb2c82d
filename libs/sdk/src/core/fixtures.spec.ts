/*
 * Backward compatibility: the committed envelope fixtures (libs/formats/test-vectors/envelopes-v1.json and
 * envelopes-v1/*.syme) are bytes from the past, written once by scripts/make-envelope-fixtures.mjs. Every SDK must
 * still decrypt them. This test only reads them: it never regenerates nor rewrites anything.
 * The keys are TEST-ONLY and the kms authorities are FixtureKms, an INSECURE TEST DOUBLE.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { type EnvelopeHeader, decodeHex as fromHex } from '@symbolon/formats';

import type { Authority } from './authority.js';
import { customerKeyId } from './customer-key.js';
import { decryptEnvelope, decryptEnvelopeRange, decryptEnvelopeStream, inspectEnvelope } from './envelope.js';
import { type FixtureAuthority, fixtureAuthorities, sdkFailure } from './fixture-kms.test-helper.js';
import type { Scheme } from './recipe.js';

interface EnvelopeDescription {
  recipe: Scheme;
  context: Record<string, string>;
  headerLength: number;
  envelopeLength: number;
  envelopeSha256: string;
}

interface Fixture extends EnvelopeDescription {
  name: string;
  scheme: string;
  file: string;
  /** Two providers, body wrapped: the envelope that is the outer one's plaintext. */
  inner?: EnvelopeDescription;
  /** The innermost plaintext, from the seeded generator. */
  plaintext: { seed: string; length: number; sha256: string };
}

const vectors = new URL('../../../formats/test-vectors/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('envelopes-v1.json', vectors), 'utf8')) as {
  format: string;
  version: number;
  warning: string;
  plaintextGenerator: string;
  authorities: FixtureAuthority[];
  fixtures: Fixture[];
};

/** The schemes of docs/formats/envelope-v1.md, "Schemes as recipes" (N authorities: a chain and a split). */
const SCHEMES = [
  'managed-then-customer',
  'customer-then-managed',
  'two providers (key wrapped)',
  'two providers (body wrapped)',
  'split key',
  'N authorities: a chain of 3',
  'N authorities: a split of 3 chains, one a 2-chain',
];

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The file's plaintext generator, written here with node:crypto: SHA-256(seed || uint32be(i)) blocks, cut. */
function plaintextOf(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; i * 32 < length; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    blocks.push(createHash('sha256').update(seed, 'utf8').update(counter).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const authorityIds = (recipe: Scheme): string[] =>
  'chain' in recipe ? [...recipe.chain] : recipe.split.flatMap((s) => [...s.chain]);

/** Every authority of the fixture, outer envelope first. */
const idsOf = (f: Fixture): string[] => [
  ...authorityIds(f.recipe),
  ...(f.inner ? authorityIds(f.inner.recipe) : []),
];

const failure = sdkFailure;

/** Streams `envelope` through decryptEnvelopeStream: a 5-byte first slice (inside the magic), then 4093-byte ones. */
async function streamed(envelope: Uint8Array, authorities: readonly Authority[]): Promise<Buffer> {
  const pair = decryptEnvelopeStream({ authorities, expect: {} });
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    for await (const p of pair.readable as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  })();
  const writing = (async () => {
    const writer = pair.writable.getWriter();
    await writer.write(envelope.subarray(0, 5));
    for (let at = 5; at < envelope.length; at += 4093) await writer.write(envelope.subarray(at, at + 4093));
    await writer.close();
  })();
  await Promise.all([reading, writing]);
  return Buffer.concat(parts);
}

type Reader = (envelope: Uint8Array, authorities: readonly Authority[]) => Promise<Uint8Array>;
// The readers hold every fixture authority (a keyring): `expect: {}` lets them decrypt whatever subset a fixture uses.
const whole: Reader = (envelope, authorities) => decryptEnvelope(envelope, { authorities, expect: {} });

/** Opens the fixture the way a reader does: the outer envelope, then (body wrapped) the envelope inside it. */
async function open(f: Fixture, envelope: Uint8Array, authorities: readonly Authority[], read: Reader) {
  const outer = await read(envelope, authorities);
  if (!f.inner) return outer;
  expect(sha256(outer)).toBe(f.inner.envelopeSha256);
  return read(outer, authorities);
}

/** The header inspectEnvelope reads matches the description: authorities in recipe order, context, recipe shape. */
function expectHeader(
  bytes: Uint8Array,
  d: EnvelopeDescription,
  plaintextLength: number,
  byId: ReadonlyMap<string, FixtureAuthority>,
): void {
  const { header, bodyOffset, plaintextLength: length } = inspectEnvelope(bytes, bytes.length);
  expect(bodyOffset).toBe(d.headerLength);
  expect(length).toBe(plaintextLength);
  expect(header.id).toHaveLength(16);
  expect(header.context).toEqual(d.context);
  expect(header.authorities).toEqual(
    authorityIds(d.recipe).map((id) => {
      const a = byId.get(id)!;
      return a.type === 'kms'
        ? { id, type: 'kms', keyArn: a.keyArn }
        : { id, type: 'customer-key', keyId: a.keyId };
    }),
  );
  const chains = (key: EnvelopeHeader['key']) =>
    'chain' in key ? { chain: key.chain } : { split: key.split.map((s) => ({ chain: s.chain })) };
  let next = 0;
  const indexes = (chain: readonly string[]) => chain.map(() => next++);
  expect(chains(header.key)).toEqual(
    'chain' in d.recipe
      ? { chain: indexes(d.recipe.chain) }
      : { split: d.recipe.split.map((s) => ({ chain: indexes(s.chain) })) },
  );
  const parts = 'chain' in header.key ? [header.key] : header.key.split;
  for (const p of parts) expect(p.wrapped.length).toBeGreaterThanOrEqual(28);
}

describe('envelope v1 fixtures', () => {
  const byId = new Map(file.authorities.map((a) => [a.id, a]));
  const readers = fixtureAuthorities(file.authorities);
  const envelopeOf = (f: Fixture) => new Uint8Array(readFileSync(new URL(f.file, vectors)));

  it('should hold every scheme of the specification, every plaintext size and some contexts when the file is read', () => {
    expect([file.format, file.version]).toEqual(['symbolon-envelope', 1]);
    expect(file.warning).toMatch(/TEST-ONLY KEYS/);
    expect(file.warning).toMatch(/INSECURE TEST DOUBLE/);
    expect(new Set(file.fixtures.map((f) => f.scheme))).toEqual(new Set(SCHEMES));
    expect(new Set(file.fixtures.map((f) => f.plaintext.length))).toEqual(new Set([0, 1, 16384, 40000]));
    expect(file.fixtures.filter((f) => Object.keys(f.context).length > 0).length).toBeGreaterThan(2);
    expect(new Set(file.fixtures.map((f) => f.name)).size).toBe(file.fixtures.length);
  });

  it('should derive the recorded key id of every customer key when given its test-only bytes', async () => {
    const customers = file.authorities.filter((a) => a.type === 'customer-key');
    expect(customers.length).toBeGreaterThanOrEqual(2);
    for (const a of customers) expect(await customerKeyId(fromHex(a.testOnlyKeyHex))).toBe(a.keyId);
  });

  describe.each(file.fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const expected = plaintextOf(f.plaintext.seed, f.plaintext.length);

    it('should keep the committed bytes and the plaintext generator when the files are read', () => {
      const envelope = envelopeOf(f);
      expect(envelope.length).toBe(f.envelopeLength);
      expect(sha256(envelope)).toBe(f.envelopeSha256);
      expect(sha256(expected)).toBe(f.plaintext.sha256);
    });

    it('should read the header the fixture describes when inspected, nothing decrypted', async () => {
      const envelope = envelopeOf(f);
      expectHeader(envelope, f, f.inner ? f.inner.envelopeLength : f.plaintext.length, byId);
      if (f.inner) {
        const inner = await decryptEnvelope(envelope, { authorities: await readers, expect: {} });
        expectHeader(inner, f.inner, f.plaintext.length, byId);
      }
    });

    it('should decrypt to the expected plaintext when read whole', async () => {
      const got = await open(f, envelopeOf(f), await readers, whole);
      expect(sha256(got)).toBe(f.plaintext.sha256);
    });

    it('should decrypt to the expected plaintext when streamed in slices', async () => {
      const got = await open(f, envelopeOf(f), await readers, streamed);
      expect(sha256(got)).toBe(f.plaintext.sha256);
    });

    it('should decrypt a byte range when read by ranges', async () => {
      const envelope = envelopeOf(f);
      const outerLength = f.inner ? f.inner.envelopeLength : f.plaintext.length;
      const start = Math.floor(outerLength / 3);
      const end = Math.min(outerLength, start + 100);
      const read = async (offset: number, length: number) => envelope.subarray(offset, offset + length);
      const got = await decryptEnvelopeRange(read, envelope.length, start, end, {
        authorities: await readers,
        expect: {},
      });
      const outer = f.inner
        ? await decryptEnvelope(envelope, { authorities: await readers, expect: {} })
        : expected;
      expect(Buffer.from(got)).toEqual(Buffer.from(outer.subarray(start, end)));
    });

    it('should refuse the envelope, whole or streamed, when one byte of its body is flipped', async () => {
      const flipped = envelopeOf(f);
      const at = f.headerLength + Math.floor((flipped.length - f.headerLength) / 2);
      flipped[at]! ^= 0x01;
      for (const read of [whole, streamed]) {
        expect((await failure(read(flipped, await readers))).code).toBe('INVALID_ENVELOPE');
      }
    });

    it('should decrypt only as its own scheme when the reader expects one', async () => {
      const envelope = envelopeOf(f);
      const mine = { authorities: await readers, expect: { scheme: f.recipe } };
      expect((await decryptEnvelope(envelope, mine)).length).toBe(
        f.inner ? f.inner.envelopeLength : f.plaintext.length,
      );
      const other = { chain: [...idsOf(f)].reverse() };
      const e = await failure(
        decryptEnvelope(envelope, { authorities: await readers, expect: { scheme: other } }),
      );
      expect(e.code).toBe('UNEXPECTED_ENVELOPE');
    });

    it.each(idsOf(f).map((id) => [id]))(
      'should fail naming %s when that authority is not given',
      async (missing) => {
        const without = (await readers).filter((a) => a.id !== missing);
        const e = await failure(open(f, envelopeOf(f), without, whole));
        expect([e.code, e.authorityId]).toEqual(['AUTHORITY_MISSING', missing]);
      },
    );
  });
});
