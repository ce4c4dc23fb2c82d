import { describe, expect, it } from '@jest/globals';

import { encryptChunked } from './buffer.js';
import { expectRejection, memoryReader, patternBytes, probeAead } from './chunked.test-helper.js';
import { chunkedDecryptRange } from './range.js';

const KEY = patternBytes(32, 51);
const CONTEXT = Uint8Array.of(7, 7, 7);
const CHUNK = 16384;
const SEALED = 16400;
const HEADER = 56;
const MESSAGE = patternBytes(5 * CHUNK + 1234, 52);
const CIPHERTEXT = await encryptChunked(KEY, CONTEXT, MESSAGE);
const P = MESSAGE.length;

function range(start: number, end: number, ciphertext = CIPHERTEXT, requests: [number, number][] = []) {
  return chunkedDecryptRange(KEY, CONTEXT, memoryReader(ciphertext, requests), ciphertext.length, start, end);
}

describe('chunkedDecryptRange', () => {
  it('should return plaintext bytes [start, end) when given ranges inside and across chunks', async () => {
    const cases: [number, number][] = [
      [0, 1],
      [0, CHUNK],
      [CHUNK - 1, CHUNK + 1],
      [100, 3 * CHUNK + 7],
      [2 * CHUNK, 2 * CHUNK],
      [5 * CHUNK, P],
      [0, P],
      [P - 1, P],
    ];
    for (const [start, end] of cases) {
      expect(await range(start, end)).toEqual(MESSAGE.slice(start, end));
    }
  });

  it('should read only the header and the chunks covering the range when the range ends before the last chunk', async () => {
    const requests: [number, number][] = [];
    await range(CHUNK + 5, 2 * CHUNK + 5, CIPHERTEXT, requests);
    expect(requests.sort((a, b) => a[0] - b[0])).toEqual([
      [0, HEADER],
      [HEADER + SEALED, SEALED],
      [HEADER + 2 * SEALED, SEALED],
    ]);
  });

  it('should count from the end like slice and cut at the end when the range is relative or past the end', async () => {
    expect(await range(-10, -2)).toEqual(MESSAGE.slice(-10, -2));
    expect(await range(-CHUNK - 3, P)).toEqual(MESSAGE.slice(-CHUNK - 3));
    expect(await range(P - 5, P + 1000)).toEqual(MESSAGE.slice(P - 5));
    expect(await range(P + 10, P + 20)).toEqual(new Uint8Array(0));
    expect(await range(-P - 50, 3)).toEqual(MESSAGE.slice(0, 3));
  });

  it('should decrypt the final chunk to prove the length when the range reaches the end or is relative', async () => {
    const requests: [number, number][] = [];
    await range(0, 1, CIPHERTEXT, requests);
    const finalAt = HEADER + 5 * SEALED;
    expect(requests.some(([offset]) => offset === finalAt)).toBe(false);
    for (const [start, end] of [
      [0, P],
      [3, P + 1],
      [-1, -1],
      [0, -P],
    ]) {
      requests.length = 0;
      await range(start, end, CIPHERTEXT, requests);
      expect(requests).toContainEqual([finalAt, CIPHERTEXT.length - finalAt]);
    }
    requests.length = 0;
    await chunkedDecryptRange(KEY, CONTEXT, memoryReader(CIPHERTEXT, requests), CIPHERTEXT.length, 0, 0, {
      authenticateLength: true,
    });
    expect(requests).toEqual([
      [0, HEADER],
      [finalAt, CIPHERTEXT.length - finalAt],
    ]);
  });

  it('should succeed in the middle but fail at the end when the final chunk is tampered', async () => {
    const tampered = CIPHERTEXT.slice();
    tampered[tampered.length - 3] ^= 4;
    expect(await range(0, 2 * CHUNK, tampered)).toEqual(MESSAGE.slice(0, 2 * CHUNK));
    for (const [start, end] of [
      [0, P],
      [-5, -1],
      [P, P + 1],
    ]) {
      await expectRejection(range(start, end, tampered), 'BAD_TAG', 'Chunk authentication failed');
    }
    // A cut ciphertext whose new "final chunk" is a cut full chunk fails length authentication.
    const cut = CIPHERTEXT.subarray(0, HEADER + 3 * SEALED + 100);
    await expectRejection(range(-1, -1, cut), 'BAD_TAG', 'Chunk authentication failed');
  });

  it('should refuse tampered, swapped or wrong-context chunks in the range when reading', async () => {
    const tampered = CIPHERTEXT.slice();
    tampered[HEADER + SEALED + 9] ^= 1;
    await expectRejection(range(CHUNK, CHUNK + 1, tampered), 'BAD_TAG', 'Chunk authentication failed');
    const swapped = CIPHERTEXT.slice();
    swapped.set(CIPHERTEXT.subarray(HEADER, HEADER + SEALED), HEADER + SEALED);
    await expectRejection(range(CHUNK, CHUNK + 1, swapped), 'BAD_TAG', 'Chunk authentication failed');
    const probe = probeAead();
    await expectRejection(
      chunkedDecryptRange(KEY, Uint8Array.of(7, 7), memoryReader(CIPHERTEXT), CIPHERTEXT.length, 0, 1, {
        aead: probe.factory,
      }),
      'BAD_TAG',
      'Chunked ciphertext commitment does not match',
    );
    expect(probe.counts).toMatchObject({ keys: 0, opens: 0 });
  });

  it('should refuse an impossible ciphertext length before reading anything', async () => {
    const requests: [number, number][] = [];
    for (const length of [10, HEADER, HEADER + SEALED]) {
      let caught: unknown;
      try {
        await chunkedDecryptRange(KEY, CONTEXT, memoryReader(CIPHERTEXT, requests), length, 0, 1);
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'TRUNCATED' });
    }
    expect(requests).toEqual([]);
  });

  it('Chunked range reader must be a function', async () => {
    await expectRejection(
      chunkedDecryptRange(KEY, CONTEXT, CIPHERTEXT as never, CIPHERTEXT.length, 0, 1),
      'BAD_FIELD',
      'Chunked range reader must be a function',
    );
  });

  it('Chunked range bounds must be safe integers', async () => {
    for (const [start, end] of [
      [0.5, 2],
      [0, Number.NaN],
      [0, Number.POSITIVE_INFINITY],
      [2 ** 53, 2 ** 53],
    ]) {
      await expectRejection(
        chunkedDecryptRange(KEY, CONTEXT, memoryReader(CIPHERTEXT), CIPHERTEXT.length, start, end),
        'BAD_FIELD',
        'Chunked range bounds must be safe integers',
      );
    }
  });

  it('Chunked range start is after its end', async () => {
    for (const [start, end] of [
      [5, 4],
      [-1, -2],
      [P - 1, -5],
    ]) {
      await expectRejection(range(start, end), 'BAD_FIELD', 'Chunked range start is after its end');
    }
  });

  it('Chunked range reader returned the wrong number of bytes', async () => {
    const readers = [
      async (offset: number, length: number) => CIPHERTEXT.slice(offset, offset + length - 1),
      async (offset: number, length: number) => CIPHERTEXT.slice(offset, offset + length + 1),
      async () => 'bytes' as unknown as Uint8Array,
    ];
    for (const read of readers) {
      await expectRejection(
        chunkedDecryptRange(KEY, CONTEXT, read, CIPHERTEXT.length, 0, 1),
        'TRUNCATED',
        'Chunked range reader returned the wrong number of bytes',
      );
    }
  });
});
