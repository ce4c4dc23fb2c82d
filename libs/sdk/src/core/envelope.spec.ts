import { jest } from '@jest/globals';
import { parseEnvelope, serializeEnvelopeHeader, withWrapped } from '@symbolon/formats';
import { createHash, randomBytes } from 'node:crypto';

import type { Authority } from './authority.js';
import { CustomerKey } from './customer-key.js';
import {
  decryptEnvelope,
  decryptEnvelopeRange,
  decryptEnvelopeStream,
  encryptEnvelope,
  encryptEnvelopeStream,
  inspectEnvelope,
  rewrapEnvelope,
} from './envelope.js';
import { SdkError } from './errors.js';
import { FixtureKms, sdkFailure } from './fixture-kms.test-helper.js';
import { type Scheme, schemes } from './recipe.js';

const keyOf = (id: string) => CustomerKey.fromBytes(id, randomBytes(32));

const failure = sdkFailure;

async function collect(readable: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of readable as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  return Buffer.concat(parts);
}

/** Writes `data` in slices of `size` into a transform and collects what comes out. */
async function through(pair: ReadableWritablePair<Uint8Array, Uint8Array>, data: Uint8Array, size: number) {
  const out = collect(pair.readable);
  const writer = pair.writable.getWriter();
  for (let i = 0; i < data.length; i += size) await writer.write(data.subarray(i, i + size));
  if (data.length === 0) await writer.write(new Uint8Array(0));
  await writer.close();
  return out;
}

describe('envelope', () => {
  const schemeTable: [string, (a: string, b: string) => Scheme][] = [
    ['managed-then-customer', schemes.managedThenCustomer],
    ['customer-then-managed', schemes.customerThenManaged],
    ['two providers', schemes.twoProviders],
    ['split key', schemes.splitKey],
  ];

  it.each(schemeTable)(
    'should decrypt with both authorities and fail naming the missing one when the scheme is %s',
    async (_name, scheme) => {
      const a = await keyOf('a');
      const b = await keyOf('b');
      const plaintext = randomBytes(40_000);
      const envelope = await encryptEnvelope(plaintext, { scheme: scheme('a', 'b'), authorities: [a, b] });
      expect(Buffer.from(await decryptEnvelope(envelope, { authorities: [b, a] }))).toEqual(plaintext);
      for (const [given, missing] of [
        [[a], 'b'],
        [[b], 'a'],
      ] as const) {
        const e = await failure(decryptEnvelope(envelope, { authorities: given }));
        expect([e.code, e.authorityId]).toEqual(['AUTHORITY_MISSING', missing]);
      }
    },
  );

  it('should name the authority whose key is another one when a reader brings the wrong key under the right name', async () => {
    const a = await keyOf('a');
    const b = await keyOf('b');
    const envelope = await encryptEnvelope(Buffer.from('x'), {
      scheme: schemes.splitKey('a', 'b'),
      authorities: [a, b],
    });
    const e = await failure(decryptEnvelope(envelope, { authorities: [a, await keyOf('b')] }));
    expect([e.code, e.authorityId]).toEqual(['AUTHORITY_MISSING', 'b']);
  });

  it('should let the first authority of a chain make the secret when it can, and wrap through the rest', async () => {
    const kms = await FixtureKms.create(
      'kms',
      'arn:aws:kms:eu-west-1:111122223333:key/test',
      randomBytes(32),
    );
    const generate = jest.spyOn(kms, 'generate');
    const customer = await keyOf('me');
    const envelope = await encryptEnvelope(Buffer.from('data'), {
      scheme: schemes.managedThenCustomer('kms', 'me'),
      authorities: [kms, customer],
    });
    expect(generate).toHaveBeenCalledTimes(1);
    expect(Buffer.from(await decryptEnvelope(envelope, { authorities: [kms, customer] })).toString()).toBe(
      'data',
    );
  });

  it('should chain and split over several authorities when the scheme says so', async () => {
    const keys = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(keyOf));
    const scheme: Scheme = { split: [{ chain: ['a', 'b'] }, { chain: ['c'] }, { chain: ['d', 'e'] }] };
    const envelope = await encryptEnvelope(Buffer.from('five'), { scheme, authorities: keys });
    expect(Buffer.from(await decryptEnvelope(envelope, { authorities: keys })).toString()).toBe('five');
    expect(inspectEnvelope(envelope).header.authorities.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('should refuse a scheme that uses an authority twice or names one not given', async () => {
    const a = await keyOf('a');
    expect(
      await failure(encryptEnvelope(Buffer.from('x'), { scheme: { chain: ['a', 'a'] }, authorities: [a] })),
    ).toMatchObject({
      code: 'CONFIG',
      message: 'a scheme uses each authority once',
    });
    expect(
      await failure(encryptEnvelope(Buffer.from('x'), { scheme: { chain: ['a', 'z'] }, authorities: [a] })),
    ).toMatchObject({
      code: 'CONFIG',
    });
  });

  it('should fail at the authority when the encryption context of the header was changed', async () => {
    const a = await keyOf('a');
    const envelope = await encryptEnvelope(Buffer.from('x'), {
      scheme: { chain: ['a'] },
      authorities: [a],
      context: { tenant: 'one' },
    });
    const { header, bodyOffset } = parseEnvelope(envelope);
    const edited = Buffer.concat([
      serializeEnvelopeHeader({ ...header, context: { tenant: 'two' } }),
      envelope.subarray(bodyOffset),
    ]);
    const e = await failure(decryptEnvelope(edited, { authorities: [a] }));
    expect([e.code, e.authorityId]).toEqual(['AUTHORITY_FAILED', 'a']);
  });

  it('should fail when wrapped parts are swapped between the shares of a split, or between two envelopes', async () => {
    const a = await keyOf('a');
    const b = await keyOf('b');
    const scheme: Scheme = { split: [{ chain: ['a'] }, { chain: ['b'] }] };
    const one = await encryptEnvelope(Buffer.from('one'), { scheme, authorities: [a, b] });
    const two = await encryptEnvelope(Buffer.from('two'), { scheme, authorities: [a, b] });
    const h1 = parseEnvelope(one);
    const h2 = parseEnvelope(two);
    const foreign = withWrapped(
      h1.header,
      'split.0',
      (h2.header.key as { split: readonly { wrapped: Uint8Array }[] }).split[0]!.wrapped,
    );
    const mixed = Buffer.concat([serializeEnvelopeHeader(foreign), one.subarray(h1.bodyOffset)]);
    expect((await failure(decryptEnvelope(mixed, { authorities: [a, b] }))).authorityId).toBe('a');
    // A header of another envelope in front of this body: the wraps unwrap, the body's commitment does not match.
    const otherHeader = Buffer.concat([two.subarray(0, h2.bodyOffset), one.subarray(h1.bodyOffset)]);
    expect((await failure(decryptEnvelope(otherHeader, { authorities: [a, b] }))).code).toBe(
      'INVALID_ENVELOPE',
    );
  });

  it('should refuse a truncated envelope, a flipped body byte and a header cut short', async () => {
    const a = await keyOf('a');
    const envelope = await encryptEnvelope(randomBytes(20_000), {
      scheme: { chain: ['a'] },
      authorities: [a],
    });
    const flipped = Buffer.from(envelope);
    flipped[flipped.length - 100]! ^= 1;
    for (const bad of [envelope.subarray(0, envelope.length - 1), flipped, envelope.subarray(0, 20)]) {
      expect((await failure(decryptEnvelope(bad, { authorities: [a] }))).code).toBe('INVALID_ENVELOPE');
    }
  });

  it.each([[1], [7], [16 * 1024], [100_000]])(
    'should stream the same envelope format in and out when written in slices of %i bytes',
    async (size) => {
      const a = await keyOf('a');
      const b = await keyOf('b');
      const plaintext = randomBytes(3 * 16384 + 5);
      const opts = { scheme: schemes.customerThenManaged('a', 'b'), authorities: [a, b] };
      const envelope = await through(await encryptEnvelopeStream(opts), plaintext, size);
      expect(Buffer.from(await decryptEnvelope(envelope, { authorities: [a, b] }))).toEqual(plaintext);
      const back = await through(decryptEnvelopeStream({ authorities: [a, b] }), envelope, size);
      expect(createHash('sha256').update(back).digest('hex')).toBe(
        createHash('sha256').update(plaintext).digest('hex'),
      );
    },
  );

  it('should error the stream and release nothing past the authenticated chunks when the envelope is cut', async () => {
    const a = await keyOf('a');
    const plaintext = randomBytes(3 * 16384 + 5);
    const envelope = await encryptEnvelope(plaintext, { scheme: { chain: ['a'] }, authorities: [a] });
    const pair = decryptEnvelopeStream({ authorities: [a] });
    const released: Uint8Array[] = [];
    const reading = (async () => {
      for await (const p of pair.readable as unknown as AsyncIterable<Uint8Array>) released.push(p);
    })();
    const writer = pair.writable.getWriter();
    const written = (async () => {
      await writer.write(envelope.subarray(0, envelope.length - 3));
      await writer.close();
    })();
    await expect(Promise.all([reading, written])).rejects.toBeInstanceOf(SdkError);
    const out = Buffer.concat(released);
    expect(out.length).toBeLessThanOrEqual(3 * 16384);
    expect(out).toEqual(plaintext.subarray(0, out.length));
  });

  it('should decrypt only the range asked for, reading the header and the chunks that cover it', async () => {
    const a = await keyOf('a');
    const plaintext = randomBytes(5 * 16384);
    const envelope = await encryptEnvelope(plaintext, { scheme: { chain: ['a'] }, authorities: [a] });
    const reads: [number, number][] = [];
    const read = async (offset: number, length: number) => {
      reads.push([offset, length]);
      return envelope.subarray(offset, offset + length);
    };
    const got = await decryptEnvelopeRange(read, envelope.length, 40_000, 40_100, { authorities: [a] });
    expect(Buffer.from(got)).toEqual(plaintext.subarray(40_000, 40_100));
    const bodyRead = reads.slice(2).reduce((n, [, length]) => n + length, 0);
    expect(bodyRead).toBeLessThan(envelope.length / 2);
  });

  it('should re-wrap the outer layer to a new customer key without the data key, leaving the body as it was', async () => {
    const kms = await keyOf('kms');
    const old = await keyOf('me');
    const plaintext = Buffer.from('rotate my key');
    const envelope = await encryptEnvelope(plaintext, {
      scheme: schemes.managedThenCustomer('kms', 'me'),
      authorities: [kms, old],
    });
    const fresh = await keyOf('me-2026');
    // Only the old and new customer keys take part: the KMS layer stays wrapped.
    const { headerBytes, bodyOffset } = await rewrapEnvelope(envelope, { from: old, to: fresh });
    const rewrapped = Buffer.concat([headerBytes, envelope.subarray(bodyOffset)]);
    expect(Buffer.from(rewrapped.subarray(headerBytes.length))).toEqual(
      Buffer.from(envelope.subarray(bodyOffset)),
    );
    expect(Buffer.from(await decryptEnvelope(rewrapped, { authorities: [kms, fresh] }))).toEqual(plaintext);
    expect(
      (await failure(decryptEnvelope(rewrapped, { authorities: [kms, old], expect: {} }))).authorityId,
    ).toBe('me-2026');
  });

  it('a re-wrap replaces the outermost authority of the part', async () => {
    const kms = await keyOf('kms');
    const me = await keyOf('me');
    const envelope = await encryptEnvelope(Buffer.from('x'), {
      scheme: schemes.managedThenCustomer('kms', 'me'),
      authorities: [kms, me],
    });
    expect(await failure(rewrapEnvelope(envelope, { from: kms, to: await keyOf('kms-2') }))).toMatchObject({
      code: 'CONFIG',
      message: 'a re-wrap replaces the outermost authority of the part',
    });
  });

  it("the new authority's id is not another authority's of the envelope", async () => {
    const kms = await keyOf('kms');
    const me = await keyOf('me');
    const envelope = await encryptEnvelope(Buffer.from('x'), {
      scheme: schemes.managedThenCustomer('kms', 'me'),
      authorities: [kms, me],
    });
    expect(await failure(rewrapEnvelope(envelope, { from: me, to: await keyOf('kms') }))).toMatchObject({
      message: "the new authority's id is not another authority's of the envelope",
    });
  });

  it('an envelope is long enough for its header', async () => {
    const a = await keyOf('a');
    const envelope = await encryptEnvelope(Buffer.from('x'), { scheme: { chain: ['a'] }, authorities: [a] });
    const read = async (offset: number, length: number) => envelope.subarray(offset, offset + length);
    expect(await failure(decryptEnvelopeRange(read, 30, 0, 1, { authorities: [a] }))).toMatchObject({
      code: 'INVALID_ENVELOPE',
      message: 'an envelope is long enough for its header',
    });
  });

  it('a scheme uses each authority once', async () => {
    const a = await keyOf('a');
    expect(
      await failure(
        encryptEnvelope(Buffer.from('x'), {
          scheme: { split: [{ chain: ['a'] }, { chain: ['a'] }] },
          authorities: [a],
        }),
      ),
    ).toMatchObject({
      message: 'a scheme uses each authority once',
    });
  });

  describe('what the reader expects', () => {
    it('should refuse an envelope made by one of its authorities alone when the reader gives the two it expects', async () => {
      const alice = await keyOf('alice');
      const bob = await keyOf('bob');
      // Whoever holds bob's key alone makes an envelope of their own: the reader of alice-and-bob data must not take it.
      const forged = await encryptEnvelope(Buffer.from('pay mallory'), {
        scheme: { chain: ['bob'] },
        authorities: [bob],
      });
      const e = await failure(decryptEnvelope(forged, { authorities: [alice, bob] }));
      expect([e.code, e.authorityId]).toEqual(['UNEXPECTED_ENVELOPE', 'alice']);
      const strict = await failure(
        decryptEnvelope(forged, {
          authorities: [alice, bob],
          expect: { scheme: schemes.customerThenManaged('alice', 'bob') },
        }),
      );
      expect([strict.code, strict.message]).toEqual([
        'UNEXPECTED_ENVELOPE',
        'the envelope is chain [bob], not the scheme expected (chain [alice, bob])',
      ]);
    });

    it('should refuse an envelope whose context lacks a pair the reader requires, and take one that has it', async () => {
      const a = await keyOf('a');
      const envelope = await encryptEnvelope(Buffer.from('x'), {
        scheme: { chain: ['a'] },
        authorities: [a],
        context: { tenant: 'acme', purpose: 'backup' },
      });
      const e = await failure(
        decryptEnvelope(envelope, { authorities: [a], expect: { context: { tenant: 'other' } } }),
      );
      expect(e.code).toBe('UNEXPECTED_ENVELOPE');
      const ok = await decryptEnvelope(envelope, {
        authorities: [a],
        expect: { scheme: { chain: ['a'] }, context: { tenant: 'acme' } },
      });
      expect(Buffer.from(ok).toString()).toBe('x');
    });

    it('should ask no authority when the reader lacks one of those the envelope needs', async () => {
      const asked: string[] = [];
      const counting = (inner: CustomerKey): Authority => ({
        id: inner.id,
        describe: () => inner.describe(),
        wrap: (p, b) => inner.wrap(p, b),
        unwrap: (w, b) => {
          asked.push(inner.id);
          return inner.unwrap(w, b);
        },
      });
      const a = await keyOf('a');
      const b = await keyOf('b');
      const envelope = await encryptEnvelope(Buffer.from('x'), {
        scheme: { chain: ['a', 'b'] },
        authorities: [a, b],
      });
      const e = await failure(decryptEnvelope(envelope, { authorities: [counting(b)] }));
      expect([e.code, e.authorityId, asked]).toEqual(['AUTHORITY_MISSING', 'a', []]);
    });
  });

  it('a scheme is a chain of authority ids or a split of such chains', async () => {
    const a = await keyOf('a');
    for (const scheme of [{}, { chain: [] }, { chain: [1] }, { split: [{}] }, { split: 'a' }]) {
      expect(
        await failure(
          encryptEnvelope(Buffer.from('x'), { scheme: scheme as unknown as Scheme, authorities: [a] }),
        ),
      ).toMatchObject({
        code: 'CONFIG',
        message: 'a scheme is a chain of authority ids or a split of such chains',
      });
    }
  });

  it('should refuse, as a configuration error, a context the format does not take', async () => {
    const a = await keyOf('a');
    const e = await failure(
      encryptEnvelope(Buffer.from('x'), {
        scheme: { chain: ['a'] },
        authorities: [a],
        context: { 'symbolon:x': 'y' },
      }),
    );
    expect(e.code).toBe('CONFIG');
  });
});
