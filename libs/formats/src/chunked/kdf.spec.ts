import { createHmac } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { expectRejection, patternBytes } from './chunked.test-helper.js';
import { chunkNonce, deriveChunkKeys } from './kdf.js';

const INPUT_KEY = patternBytes(32, 1);
const SALT = patternBytes(24, 2);
const BASE_NONCE = Uint8Array.from({ length: 12 }, (_, i) => 0xf0 + i);

/** HKDF-Expand-SHA-512 written out with node:crypto HMAC, as an independent reference. */
function referenceExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; blocks.length * 64 < length; i++) {
    previous = createHmac('sha512', prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    blocks.push(previous);
  }
  return new Uint8Array(Buffer.concat(blocks).subarray(0, length));
}

function info(salt: Uint8Array, context: Uint8Array): Uint8Array {
  return new Uint8Array(
    Buffer.concat([
      Buffer.from('c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0', 'latin1'),
      salt,
      context,
    ]),
  );
}

describe('deriveChunkKeys', () => {
  it('should split HKDF-Expand-SHA-512 output into key, base nonce and commitment when given any context', async () => {
    for (const context of [new Uint8Array(0), Uint8Array.of(0), patternBytes(300, 3)]) {
      const okm = referenceExpand(INPUT_KEY, info(SALT, context), 76);
      const keys = await deriveChunkKeys(INPUT_KEY, SALT, context);
      expect(keys.key).toEqual(okm.subarray(0, 32));
      expect(keys.baseNonce).toEqual(okm.subarray(32, 44));
      expect(keys.commitment).toEqual(okm.subarray(44, 76));
    }
  });

  it('should derive different values when the salt, the context or the key differ', async () => {
    const base = await deriveChunkKeys(INPUT_KEY, SALT, Uint8Array.of(1));
    const others = await Promise.all([
      deriveChunkKeys(INPUT_KEY, patternBytes(24, 9), Uint8Array.of(1)),
      deriveChunkKeys(INPUT_KEY, SALT, Uint8Array.of(2)),
      deriveChunkKeys(INPUT_KEY, SALT, Uint8Array.of(1, 0)),
      deriveChunkKeys(patternBytes(32, 9), SALT, Uint8Array.of(1)),
    ]);
    for (const other of others) {
      expect(other.key).not.toEqual(base.key);
      expect(other.baseNonce).not.toEqual(base.baseNonce);
      expect(other.commitment).not.toEqual(base.commitment);
    }
  });

  it('Chunked encryption input key must be 32 bytes', async () => {
    for (const key of [
      new Uint8Array(31),
      new Uint8Array(33),
      new Uint8Array(16),
      'k'.repeat(32),
      undefined,
    ]) {
      await expectRejection(
        deriveChunkKeys(key as Uint8Array, SALT, new Uint8Array(0)),
        'BAD_FIELD',
        'Chunked encryption input key must be 32 bytes',
      );
    }
  });

  it('Chunked encryption salt must be 24 bytes', async () => {
    for (const salt of [new Uint8Array(23), new Uint8Array(25), new Uint8Array(0), null]) {
      await expectRejection(
        deriveChunkKeys(INPUT_KEY, salt as Uint8Array, new Uint8Array(0)),
        'BAD_FIELD',
        'Chunked encryption salt must be 24 bytes',
      );
    }
  });

  it('Chunked encryption context must be a Uint8Array', async () => {
    for (const context of ['ctx', [1, 2], undefined, new ArrayBuffer(2)]) {
      await expectRejection(
        deriveChunkKeys(INPUT_KEY, SALT, context as unknown as Uint8Array),
        'BAD_FIELD',
        'Chunked encryption context must be a Uint8Array',
      );
    }
  });
});

describe('chunkNonce', () => {
  it.each([
    [0, 'f0f1f2f3f4f5f6f7f8f9fafb'],
    [1, 'f0f1f2f3f4f5f6f7f8f9fafa'],
    [0xff, 'f0f1f2f3f4f5f6f7f8f9fa04'],
    [0x100, 'f0f1f2f3f4f5f6f7f8f9fbfb'],
    [0x01020304, 'f0f1f2f3f4f5f6f7f9fbf9ff'],
    [2 ** 32, 'f0f1f2f3f4f5f6f6f8f9fafb'],
    [2 ** 38 - 1, 'f0f1f2f3f4f5f6c807060504'],
  ])(
    'should XOR the index %p as a big-endian integer into the last bytes when it is in range',
    (index, expected) => {
      expect(Buffer.from(chunkNonce(BASE_NONCE, index)).toString('hex')).toBe(expected);
    },
  );

  it('should return a new array and leave the base nonce as it was when called', () => {
    const before = BASE_NONCE.slice();
    const nonce = chunkNonce(BASE_NONCE, 7);
    nonce.fill(0);
    expect(BASE_NONCE).toEqual(before);
    expect(chunkNonce(BASE_NONCE, 0)).not.toBe(BASE_NONCE);
  });

  it('Chunk index must be an integer below 2^38', () => {
    for (const index of [2 ** 38, 2 ** 40, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectEnvelopeError(
        () => chunkNonce(BASE_NONCE, index),
        'TOO_LONG',
        'Chunk index must be an integer below 2^38',
      );
    }
  });

  it('Chunked encryption base nonce must be 12 bytes', () => {
    for (const nonce of [new Uint8Array(11), new Uint8Array(13), undefined]) {
      expectEnvelopeError(
        () => chunkNonce(nonce as Uint8Array, 0),
        'BAD_FIELD',
        'Chunked encryption base nonce must be 12 bytes',
      );
    }
  });
});
