import { describe, expect, it } from '@jest/globals';

import { EnvelopeError } from '../errors.js';
import type { ChunkAeadFactory } from './aead.js';
import { decryptChunked, encryptChunked } from './buffer.js';
import { concat, expectRejection, patternBytes, probeAead, sameBytes } from './chunked.test-helper.js';
import { deriveChunkKeys } from './kdf.js';
import { chunkedCiphertextLength } from './length.js';

const KEY = patternBytes(32, 21);
const CONTEXT = new TextEncoder().encode('envelope header hash');
const CHUNK = 16384;
const SEALED = 16400;
const HEADER = 56;

/** The ciphertext of a 3.5-chunk message, reused by the tampering tests. */
const MESSAGE = patternBytes(3 * CHUNK + 500, 4);
const CIPHERTEXT = await encryptChunked(KEY, CONTEXT, MESSAGE);

function chunkAt(ciphertext: Uint8Array, index: number): Uint8Array {
  const at = HEADER + index * SEALED;
  return ciphertext.slice(at, Math.min(at + SEALED, ciphertext.length));
}

describe('encryptChunked', () => {
  it.each([0, 1, 16383, 16384, 16385, 3 * 16384, 3 * 1024 * 1024 + 17])(
    'should round-trip a message of %p bytes when decrypted with the same key and context',
    async (length) => {
      const message = patternBytes(length, length + 7);
      const ciphertext = await encryptChunked(KEY, CONTEXT, message);
      expect(ciphertext.length).toBe(chunkedCiphertextLength(length));
      expect(sameBytes(await decryptChunked(KEY, CONTEXT, ciphertext), message)).toBe(true);
    },
  );

  it('should write a fresh random salt and its commitment first when no salt is given', async () => {
    const a = await encryptChunked(KEY, CONTEXT, MESSAGE);
    const b = await encryptChunked(KEY, CONTEXT, MESSAGE);
    expect(a.subarray(0, 24)).not.toEqual(b.subarray(0, 24));
    expect(a.subarray(HEADER, HEADER + 32)).not.toEqual(b.subarray(HEADER, HEADER + 32));
    const keys = await deriveChunkKeys(KEY, a.subarray(0, 24), CONTEXT);
    expect(a.subarray(24, HEADER)).toEqual(keys.commitment);
  });

  it('should give the same bytes whatever the concurrency when the salt is fixed', async () => {
    const salt = patternBytes(24, 8);
    const reference = await encryptChunked(KEY, CONTEXT, MESSAGE, { salt, concurrency: 1 });
    for (const concurrency of [2, 4, 64]) {
      expect(await encryptChunked(KEY, CONTEXT, MESSAGE, { salt, concurrency })).toEqual(reference);
    }
  });

  it('should keep at most `concurrency` chunk operations in flight when given an injected AEAD', async () => {
    const message = patternBytes(20 * CHUNK, 3);
    for (const concurrency of [1, 3]) {
      const probe = probeAead((i) => (i % 3 === 0 ? 2 : 0));
      const ciphertext = await encryptChunked(KEY, CONTEXT, message, { aead: probe.factory, concurrency });
      expect(probe.counts).toMatchObject({ keys: 1, seals: 21, opens: 0, maxInFlight: concurrency });
      expect(
        sameBytes(
          await decryptChunked(KEY, CONTEXT, ciphertext, { aead: probe.factory, concurrency }),
          message,
        ),
      ).toBe(true);
      expect(probe.counts).toMatchObject({ keys: 2, opens: 21, maxInFlight: concurrency });
    }
  });

  it('Chunked plaintext must be a Uint8Array', async () => {
    for (const plaintext of ['text', [1, 2], undefined, new ArrayBuffer(4)]) {
      await expectRejection(
        encryptChunked(KEY, CONTEXT, plaintext as unknown as Uint8Array),
        'BAD_FIELD',
        'Chunked plaintext must be a Uint8Array',
      );
    }
  });

  it('Chunked encryption concurrency must be an integer from 1 to 64', async () => {
    for (const concurrency of [0, -1, 1.5, 65, Number.NaN]) {
      await expectRejection(
        encryptChunked(KEY, CONTEXT, MESSAGE, { concurrency }),
        'BAD_FIELD',
        'Chunked encryption concurrency must be an integer from 1 to 64',
      );
      await expectRejection(
        decryptChunked(KEY, CONTEXT, CIPHERTEXT, { concurrency }),
        'BAD_FIELD',
        'Chunked encryption concurrency must be an integer from 1 to 64',
      );
    }
  });

  it('Chunked encryption AEAD must be a function', async () => {
    for (const aead of [{}, 'AES-GCM', 42]) {
      await expectRejection(
        encryptChunked(KEY, CONTEXT, MESSAGE, { aead: aead as unknown as ChunkAeadFactory }),
        'BAD_FIELD',
        'Chunked encryption AEAD must be a function',
      );
    }
  });

  it('Chunk AEAD output has the wrong length', async () => {
    const short: ChunkAeadFactory = async () => ({
      seal: async (_nonce, plaintext) => plaintext.slice(),
      open: async (_nonce, sealed) => sealed.slice(),
    });
    await expectRejection(
      encryptChunked(KEY, CONTEXT, MESSAGE, { aead: short }),
      'BAD_FIELD',
      'Chunk AEAD output has the wrong length',
    );
    await expectRejection(
      decryptChunked(KEY, CONTEXT, CIPHERTEXT, { aead: short }),
      'BAD_FIELD',
      'Chunk AEAD output has the wrong length',
    );
  });
});

describe('decryptChunked', () => {
  it('should refuse the ciphertext when two chunks are swapped or one is duplicated', async () => {
    const [c0, c1, c2, c3] = [0, 1, 2, 3].map((i) => chunkAt(CIPHERTEXT, i));
    const header = CIPHERTEXT.subarray(0, HEADER);
    for (const body of [
      [c1, c0, c2, c3],
      [c0, c2, c1, c3],
      [c0, c0, c2, c3],
      [c0, c1, c1, c3],
    ]) {
      await expectRejection(
        decryptChunked(KEY, CONTEXT, concat([header, ...body])),
        'BAD_TAG',
        'Chunk authentication failed',
      );
    }
    // Dropping a full chunk keeps a valid length, and moves the final chunk to the wrong index.
    await expectRejection(
      decryptChunked(KEY, CONTEXT, concat([header, c0, c1, c3])),
      'BAD_TAG',
      'Chunk authentication failed',
    );
  });

  it('should refuse the ciphertext when any region has a flipped bit', async () => {
    const cases: [string, number, string][] = [
      ['salt', 3, 'Chunked ciphertext commitment does not match'],
      ['commitment', 40, 'Chunked ciphertext commitment does not match'],
      ['first chunk body', HEADER + 100, 'Chunk authentication failed'],
      ['first chunk tag', HEADER + SEALED - 1, 'Chunk authentication failed'],
      ['middle chunk body', HEADER + SEALED + 7, 'Chunk authentication failed'],
      ['final chunk body', CIPHERTEXT.length - 20, 'Chunk authentication failed'],
      ['final chunk tag', CIPHERTEXT.length - 1, 'Chunk authentication failed'],
    ];
    for (const [, offset, message] of cases) {
      const tampered = CIPHERTEXT.slice();
      tampered[offset] ^= 0x10;
      await expectRejection(decryptChunked(KEY, CONTEXT, tampered), 'BAD_TAG', message);
    }
  });

  it('should refuse the ciphertext when it is cut by one byte or has one byte appended', async () => {
    await expectRejection(
      decryptChunked(KEY, CONTEXT, CIPHERTEXT.subarray(0, CIPHERTEXT.length - 1)),
      'BAD_TAG',
      'Chunk authentication failed',
    );
    await expectRejection(
      decryptChunked(KEY, CONTEXT, concat([CIPHERTEXT, Uint8Array.of(0)])),
      'BAD_TAG',
      'Chunk authentication failed',
    );
    // Cut right after a full chunk: no short final chunk, refused by length alone.
    await expectRejection(
      decryptChunked(KEY, CONTEXT, CIPHERTEXT.subarray(0, HEADER + 2 * SEALED)),
      'TRUNCATED',
      'Chunked ciphertext is truncated',
    );
  });

  it('Chunked ciphertext commitment does not match', async () => {
    const probe = probeAead();
    const otherContexts = [new Uint8Array(0), CONTEXT.subarray(1), concat([CONTEXT, Uint8Array.of(0)])];
    for (const context of otherContexts) {
      await expectRejection(
        decryptChunked(KEY, context, CIPHERTEXT, { aead: probe.factory }),
        'BAD_TAG',
        'Chunked ciphertext commitment does not match',
      );
    }
    await expectRejection(
      decryptChunked(patternBytes(32, 22), CONTEXT, CIPHERTEXT, { aead: probe.factory }),
      'BAD_TAG',
      'Chunked ciphertext commitment does not match',
    );
    // Refused before any chunk key is made or any chunk opened.
    expect(probe.counts).toMatchObject({ keys: 0, opens: 0 });
  });

  it('Chunked ciphertext must be a Uint8Array', async () => {
    for (const ciphertext of [undefined, 'AAAA', Array.from(CIPHERTEXT)]) {
      await expectRejection(
        decryptChunked(KEY, CONTEXT, ciphertext as unknown as Uint8Array),
        'BAD_FIELD',
        'Chunked ciphertext must be a Uint8Array',
      );
    }
  });

  it('should reject with an EnvelopeError and no output when given garbage of many lengths', async () => {
    for (const length of [0, 55, 56, 71, 72, 100, HEADER + SEALED, HEADER + SEALED + 16]) {
      const garbage = patternBytes(length, length + 3);
      let caught: unknown;
      try {
        await decryptChunked(KEY, CONTEXT, garbage);
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EnvelopeError);
    }
  });
});
