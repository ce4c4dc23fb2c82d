import { describe, expect, it } from '@jest/globals';

import { encryptChunked } from './buffer.js';
import { expectRejection, patternBytes } from './chunked.test-helper.js';
import { deriveChunkKeys } from './kdf.js';
import { hazmatRawChunkedDecrypt, hazmatRawChunkedEncrypt } from './raw.js';

const AEAD_KEY = patternBytes(32, 31);
const BASE_NONCE = patternBytes(12, 32);

describe('hazmatRawChunkedEncrypt', () => {
  it('should produce the body of encryptChunked when given its derived key and base nonce', async () => {
    const inputKey = patternBytes(32, 33);
    const salt = patternBytes(24, 34);
    const context = Uint8Array.of(1, 2, 3);
    const message = patternBytes(2 * 16384 + 3, 35);
    const keys = await deriveChunkKeys(inputKey, salt, context);
    const full = await encryptChunked(inputKey, context, message, { salt });
    const raw = await hazmatRawChunkedEncrypt(keys.key, keys.baseNonce, message);
    expect(raw).toEqual(full.subarray(56));
    expect(await hazmatRawChunkedDecrypt(keys.key, keys.baseNonce, raw)).toEqual(message);
  });

  it.each([0, 1, 16384, 16385])(
    'should round-trip %p bytes when the same key and nonce are used',
    async (length) => {
      const message = patternBytes(length, 36);
      const raw = await hazmatRawChunkedEncrypt(AEAD_KEY, BASE_NONCE, message);
      expect(raw.length).toBe(length + 16 * (Math.floor(length / 16384) + 1));
      expect(await hazmatRawChunkedDecrypt(AEAD_KEY, BASE_NONCE, raw)).toEqual(message);
      const otherNonce = BASE_NONCE.slice();
      otherNonce[0] ^= 1;
      await expectRejection(
        hazmatRawChunkedDecrypt(AEAD_KEY, otherNonce, raw),
        'BAD_TAG',
        'Chunk authentication failed',
      );
    },
  );

  it('Chunked encryption AEAD key must be 32 bytes', async () => {
    for (const key of [new Uint8Array(16), new Uint8Array(33), undefined]) {
      await expectRejection(
        hazmatRawChunkedEncrypt(key as Uint8Array, BASE_NONCE, new Uint8Array(1)),
        'BAD_FIELD',
        'Chunked encryption AEAD key must be 32 bytes',
      );
      await expectRejection(
        hazmatRawChunkedDecrypt(key as Uint8Array, BASE_NONCE, new Uint8Array(17)),
        'BAD_FIELD',
        'Chunked encryption AEAD key must be 32 bytes',
      );
    }
  });

  it('should refuse a base nonce of the wrong length when encrypting or decrypting raw', async () => {
    for (const nonce of [new Uint8Array(11), new Uint8Array(13), undefined]) {
      await expectRejection(
        hazmatRawChunkedEncrypt(AEAD_KEY, nonce as Uint8Array, new Uint8Array(1)),
        'BAD_FIELD',
        'Chunked encryption base nonce must be 12 bytes',
      );
      await expectRejection(
        hazmatRawChunkedDecrypt(AEAD_KEY, nonce as Uint8Array, new Uint8Array(17)),
        'BAD_FIELD',
        'Chunked encryption base nonce must be 12 bytes',
      );
    }
  });

  it('should refuse a plaintext that is not bytes when encrypting raw', async () => {
    await expectRejection(
      hazmatRawChunkedEncrypt(AEAD_KEY, BASE_NONCE, 'text' as unknown as Uint8Array),
      'BAD_FIELD',
      'Chunked plaintext must be a Uint8Array',
    );
  });
});

describe('hazmatRawChunkedDecrypt', () => {
  it('should refuse a chunk sequence of an impossible length when decrypting raw', async () => {
    for (const length of [0, 15, 16400, 16400 + 15]) {
      await expectRejection(
        hazmatRawChunkedDecrypt(AEAD_KEY, BASE_NONCE, new Uint8Array(length)),
        'TRUNCATED',
        'Chunked ciphertext is truncated',
      );
    }
  });

  it('should refuse a ciphertext that is not bytes when decrypting raw', async () => {
    await expectRejection(
      hazmatRawChunkedDecrypt(AEAD_KEY, BASE_NONCE, [1, 2] as unknown as Uint8Array),
      'BAD_FIELD',
      'Chunked ciphertext must be a Uint8Array',
    );
  });
});
