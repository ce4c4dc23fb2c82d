import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

import { describe, expect, it } from '@jest/globals';

import { fromHex, hex } from '../../test/envelope-error.js';
import { EnvelopeError } from '../errors.js';
import { webCryptoAead } from './aead.js';
import { decryptChunked, encryptChunked } from './buffer.js';
import {
  expectRejection,
  expectStreamError,
  memoryReader,
  runStream,
  sameBytes,
  sha512Hex,
  STREAM_AEADS,
} from './chunked.test-helper.js';
import { CHUNKED_CHUNK_SIZE, CHUNKED_HEADER_LENGTH, CHUNKED_SEALED_CHUNK_SIZE } from './format.js';
import { chunkNonce, deriveChunkKeys } from './kdf.js';
import { chunkedPlaintextLength } from './length.js';
import { chunkedDecryptRange } from './range.js';
import { hazmatRawChunkedDecrypt, hazmatRawChunkedEncrypt } from './raw.js';
import { chunkedDecryptStream, chunkedEncryptStream } from './stream.js';

// Wycheproof vectors for c2sp.org/chunked-encryption, applied as C2SP/wycheproof doc/c2sp_chunked_encryption.md
// describes. The ciphertext `ct` is zlib-compressed hex. The copy in the repository is read unless
// SYMBOLON_WYCHEPROOF_DIR names another folder.
const VECTORS_FILE = process.env['SYMBOLON_WYCHEPROOF_DIR']
  ? join(process.env['SYMBOLON_WYCHEPROOF_DIR'], 'c2sp_chunked_encryption_aes_256_gcm_test.json')
  : fileURLToPath(
      new URL('../../test-vectors/wycheproof/c2sp_chunked_encryption_aes_256_gcm_test.json', import.meta.url),
    );

interface Vector {
  tcId: number;
  comment: string;
  key: string;
  ctx: string;
  ct: string;
  aeadKey?: string;
  baseNonce?: string;
  msgLength?: number;
  msgSha512?: string;
  result: 'valid' | 'invalid';
  flags: string[];
}

interface Loaded {
  vector: Vector;
  name: string;
  key: Uint8Array;
  context: Uint8Array;
  ciphertext: Uint8Array;
}

const file = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as {
  algorithm: string;
  numberOfTests: number;
  testGroups: { aead: string; sha: string; tests: Vector[] }[];
};

const loaded: Loaded[] = file.testGroups.flatMap((group) =>
  group.tests.map((vector) => ({
    vector,
    name: `#${vector.tcId} ${vector.comment} [${vector.flags.join(', ')}]`,
    key: fromHex(vector.key),
    context: fromHex(vector.ctx),
    ciphertext: new Uint8Array(inflateSync(fromHex(vector.ct))),
  })),
);
const valid = loaded.filter((v) => v.vector.result === 'valid');
const invalid = loaded.filter((v) => v.vector.result === 'invalid');
const badKeySize = invalid.filter((v) => v.vector.flags.includes('InvalidKeySize'));
const invalidWithGoodKey = invalid.filter((v) => !v.vector.flags.includes('InvalidKeySize'));
const rawInvalid = invalid.filter((v) => !v.vector.flags.includes('HeaderFailure'));

function sliceSizes(length: number): number[] {
  // 1-byte writes cost a stream round trip each: keep them to short ciphertexts.
  const sizes = [4093, 16399, 16400, 16401, 65536, 1 << 20, length + 1];
  return length < 100_000 ? [1, 7, 56, ...sizes] : sizes;
}

async function attempt<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await run() };
  } catch (error: unknown) {
    return { error };
  }
}

describe('Cobblestone-256 Wycheproof vectors', () => {
  it('should cover every vector of the file when it is loaded', () => {
    expect(file.algorithm).toBe('Cobblestone-256');
    expect(file.testGroups.every((g) => g.aead === 'AEAD_AES_256_GCM' && g.sha === 'SHA-512')).toBe(true);
    expect(loaded).toHaveLength(file.numberOfTests);
    expect(valid.length).toBeGreaterThanOrEqual(10);
    expect(badKeySize.length).toBeGreaterThanOrEqual(2);
    expect(valid.some((v) => v.ciphertext.length > 4 << 20)).toBe(true);
  });

  describe.each(valid.map((v) => [v.name, v] as const))('valid %s', (_name, v) => {
    it('should decrypt to msgLength bytes with msgSha512 when decrypted whole', async () => {
      const plaintext = await decryptChunked(v.key, v.context, v.ciphertext);
      expect(plaintext.length).toBe(v.vector.msgLength);
      expect(await sha512Hex(plaintext)).toBe(v.vector.msgSha512);
    });

    it.each(STREAM_AEADS)(
      'should decrypt to the message when streamed in slices of several sizes with %s',
      async (_a, aead) => {
        for (const size of sliceSizes(v.ciphertext.length)) {
          const run = await runStream(chunkedDecryptStream(v.key, v.context, { aead }), v.ciphertext, size);
          expect(run.error).toBeUndefined();
          expect(run.output.length).toBe(v.vector.msgLength);
          expect(await sha512Hex(run.output)).toBe(v.vector.msgSha512);
        }
      },
    );

    it('should decrypt the whole message and authenticate its length when read by random access', async () => {
      const length = chunkedPlaintextLength(v.ciphertext.length);
      expect(length).toBe(v.vector.msgLength);
      const reader = memoryReader(v.ciphertext);
      const whole = await chunkedDecryptRange(v.key, v.context, reader, v.ciphertext.length, 0, length);
      expect(await sha512Hex(whole)).toBe(v.vector.msgSha512);
      const lengthOnly = await chunkedDecryptRange(v.key, v.context, reader, v.ciphertext.length, 0, 0, {
        authenticateLength: true,
      });
      expect(lengthOnly.length).toBe(0);
    });

    it('should derive aeadKey, baseNonce and the stored commitment when given key, salt and ctx', async () => {
      const keys = await deriveChunkKeys(v.key, v.ciphertext.subarray(0, 24), v.context);
      expect(hex(keys.key)).toBe(v.vector.aeadKey);
      expect(hex(keys.baseNonce)).toBe(v.vector.baseNonce);
      expect(keys.commitment).toEqual(v.ciphertext.slice(24, CHUNKED_HEADER_LENGTH));
    });

    it('should reproduce ct when the message is re-encrypted in raw mode, with the salt, and by stream', async () => {
      const message = await decryptChunked(v.key, v.context, v.ciphertext);
      const body = v.ciphertext.subarray(CHUNKED_HEADER_LENGTH);
      const aeadKey = fromHex(v.vector.aeadKey as string);
      const baseNonce = fromHex(v.vector.baseNonce as string);
      expect(sameBytes(await hazmatRawChunkedEncrypt(aeadKey, baseNonce, message), body)).toBe(true);
      expect(sameBytes(await hazmatRawChunkedDecrypt(aeadKey, baseNonce, body), message)).toBe(true);
      const salt = v.ciphertext.slice(0, 24);
      expect(sameBytes(await encryptChunked(v.key, v.context, message, { salt }), v.ciphertext)).toBe(true);
      for (const [, aead] of STREAM_AEADS) {
        const run = await runStream(chunkedEncryptStream(v.key, v.context, { salt, aead }), message, 5000);
        expect(run.error).toBeUndefined();
        expect(sameBytes(run.output, v.ciphertext)).toBe(true);
      }
    });
  });

  describe.each(badKeySize.map((v) => [v.name, v] as const))('invalid key size %s', (_name, v) => {
    it('should refuse the key in every entry point when it is not 32 bytes', async () => {
      const message = 'Chunked encryption input key must be 32 bytes';
      await expectRejection(decryptChunked(v.key, v.context, v.ciphertext), 'BAD_FIELD', message);
      await expectRejection(
        chunkedDecryptRange(v.key, v.context, memoryReader(v.ciphertext), v.ciphertext.length, 0, 1),
        'BAD_FIELD',
        message,
      );
      await expectRejection(encryptChunked(v.key, v.context, new Uint8Array(1)), 'BAD_FIELD', message);
      expect(() => chunkedDecryptStream(v.key, v.context)).toThrow(message);
      expect(() => chunkedEncryptStream(v.key, v.context)).toThrow(message);
    });
  });

  describe.each(invalidWithGoodKey.map((v) => [v.name, v] as const))('invalid %s', (_name, v) => {
    const partial = v.vector.flags.includes('PartialPlaintext');

    it('should fail when decrypted whole', async () => {
      const { value, error } = await attempt(() => decryptChunked(v.key, v.context, v.ciphertext));
      expect(value).toBeUndefined();
      expect(error).toBeInstanceOf(EnvelopeError);
    });

    it.each(STREAM_AEADS)(
      'should emit at most the valid prefix and then keep erroring when streamed with %s',
      async (_a, aead) => {
        const reference =
          v.vector.aeadKey === undefined ? undefined : await webCryptoAead(fromHex(v.vector.aeadKey));
        for (const size of sliceSizes(v.ciphertext.length)) {
          const run = await runStream(chunkedDecryptStream(v.key, v.context, { aead }), v.ciphertext, size);
          expectStreamError(run);
          if (!partial) {
            expect(run.output.length).toBe(0);
            continue;
          }
          expect(run.output.length).toBeLessThanOrEqual(v.vector.msgLength as number);
          expect(run.output.length % CHUNKED_CHUNK_SIZE).toBe(0);
          if (run.output.length === v.vector.msgLength) {
            expect(await sha512Hex(run.output)).toBe(v.vector.msgSha512);
          }
          // Every emitted chunk is the one sealed at its index.
          for (let k = 0; k * CHUNKED_CHUNK_SIZE < run.output.length; k++) {
            const at = CHUNKED_HEADER_LENGTH + k * CHUNKED_SEALED_CHUNK_SIZE;
            const nonce = chunkNonce(fromHex(v.vector.baseNonce as string), k);
            const expected = await reference?.open(
              nonce,
              v.ciphertext.slice(at, at + CHUNKED_SEALED_CHUNK_SIZE),
            );
            const emitted = run.output.subarray(k * CHUNKED_CHUNK_SIZE, (k + 1) * CHUNKED_CHUNK_SIZE);
            expect(sameBytes(emitted, expected)).toBe(true);
          }
        }
      },
    );

    it('should fail when the whole message is read by random access', async () => {
      const { value, error } = await attempt(() =>
        chunkedDecryptRange(
          v.key,
          v.context,
          memoryReader(v.ciphertext),
          v.ciphertext.length,
          0,
          chunkedPlaintextLength(v.ciphertext.length),
        ),
      );
      expect(value).toBeUndefined();
      expect(error).toBeInstanceOf(EnvelopeError);
    });

    it('should authenticate the length only when the final chunk is valid (ValidFinalChunk)', async () => {
      const outcome = await attempt(() =>
        chunkedDecryptRange(v.key, v.context, memoryReader(v.ciphertext), v.ciphertext.length, 0, 0, {
          authenticateLength: true,
        }),
      );
      if (v.vector.flags.includes('ValidFinalChunk')) {
        expect(outcome.error).toBeUndefined();
      } else {
        expect(outcome.error).toBeInstanceOf(EnvelopeError);
      }
    });
  });

  describe.each(rawInvalid.map((v) => [v.name, v] as const))('invalid in raw mode %s', (_name, v) => {
    it('should fail when the body is decrypted with aeadKey and baseNonce', async () => {
      const { value, error } = await attempt(() =>
        hazmatRawChunkedDecrypt(
          fromHex(v.vector.aeadKey as string),
          fromHex(v.vector.baseNonce as string),
          v.ciphertext.subarray(CHUNKED_HEADER_LENGTH),
        ),
      );
      expect(value).toBeUndefined();
      expect(error).toBeInstanceOf(EnvelopeError);
    });
  });
});
