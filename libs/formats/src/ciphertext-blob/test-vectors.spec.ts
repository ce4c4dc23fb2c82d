import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { fromHex, hex } from '../../test/envelope-error.js';
import { EnvelopeError } from '../errors.js';
import { ciphertextBlobAad } from './aad.js';
import { deserializeCiphertextBlob } from './deserialize.js';
import { ciphertextBlobHeader, serializeCiphertextBlob } from './serialize.js';

interface Vector {
  name: string;
  keyHex: string;
  keyId: string;
  keyVersion: number;
  ivHex: string;
  plaintextHex: string;
  encryptionContext: Record<string, string>;
  aadHex: string;
  blobHex: string;
}

const file = JSON.parse(
  readFileSync(new URL('../../test-vectors/ciphertext-blob.json', import.meta.url), 'utf8'),
) as { format: string; version: number; vectors: Vector[] };

function seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

/** What a decrypting service does: parse, rebuild the AAD from the header and the caller's context, open. */
function open(key: Uint8Array, blob: Uint8Array, context: Record<string, string>): Uint8Array {
  const parsed = deserializeCiphertextBlob(blob);
  const tagAt = parsed.sealed.length - 16;
  const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: 16 });
  decipher.setAAD(ciphertextBlobAad(parsed.header, context));
  decipher.setAuthTag(parsed.sealed.subarray(tagAt));
  return new Uint8Array(Buffer.concat([decipher.update(parsed.sealed.subarray(0, tagAt)), decipher.final()]));
}

/** Refused either by the parser (EnvelopeError) or by AES-GCM authentication; never returns plaintext. */
function expectRefused(key: Uint8Array, blob: Uint8Array, context: Record<string, string>): void {
  let error: unknown;
  try {
    open(key, blob, context);
  } catch (caught: unknown) {
    error = caught;
  }
  expect(error).toBeDefined();
  if (!(error instanceof EnvelopeError)) {
    // node:crypto errors come from another realm than Jest's test context, so match on the message.
    expect(String((error as { message?: unknown }).message)).toMatch(/unable to authenticate data/);
  }
}

describe('ciphertext blob test vectors', () => {
  it('should hold several version 1 vectors when the file is read', () => {
    expect(file.format).toBe('symbolon-kms-ciphertext-blob');
    expect(file.version).toBe(1);
    expect(file.vectors.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(file.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const key = fromHex(v.keyHex);
    const iv = fromHex(v.ivHex);
    const plaintext = fromHex(v.plaintextHex);
    const blob = fromHex(v.blobHex);

    it('should compute the expected AAD when given the key id, key version and context', () => {
      expect(hex(ciphertextBlobAad(ciphertextBlobHeader(v.keyId, v.keyVersion), v.encryptionContext))).toBe(
        v.aadHex,
      );
    });

    it('should give the expected blob when node:crypto encrypts with that AAD', () => {
      const aad = ciphertextBlobAad(ciphertextBlobHeader(v.keyId, v.keyVersion), v.encryptionContext);
      const sealed = seal(key, iv, aad, plaintext);
      expect(hex(serializeCiphertextBlob({ keyId: v.keyId, keyVersion: v.keyVersion, iv, sealed }))).toBe(
        v.blobHex,
      );
    });

    it('should give back the plaintext and fields when the blob is parsed and decrypted', () => {
      const parsed = deserializeCiphertextBlob(blob);
      expect(parsed.keyId).toBe(v.keyId);
      expect(parsed.keyVersion).toBe(v.keyVersion);
      expect(hex(parsed.iv)).toBe(v.ivHex);
      expect(hex(open(key, blob, v.encryptionContext))).toBe(v.plaintextHex);
    });

    it('should refuse the blob when any bit of any byte is flipped', () => {
      // Every bit of short blobs; for long ones, the lowest and highest bit of every byte.
      const bits = blob.length <= 256 ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 7];
      for (let i = 0; i < blob.length; i++) {
        for (const bit of bits) {
          const tampered = blob.slice();
          tampered[i] = (tampered[i] as number) ^ (1 << bit);
          expectRefused(key, tampered, v.encryptionContext);
        }
      }
    });

    it('should refuse the blob when it is truncated at any length', () => {
      for (let length = 0; length < blob.length; length++) {
        expectRefused(key, blob.subarray(0, length), v.encryptionContext);
      }
    });

    it('should refuse the blob when bytes are appended', () => {
      for (const extra of [1, 16, 6144 - blob.length]) {
        const extended = new Uint8Array(blob.length + extra);
        extended.set(blob);
        expectRefused(key, extended, v.encryptionContext);
      }
    });

    it('should refuse the blob when the encryption context differs', () => {
      const keys = Object.keys(v.encryptionContext);
      const variants: Record<string, string>[] = [{ ...v.encryptionContext, extra: 'entry' }];
      if (keys.length > 0) {
        const [first] = keys as [string];
        variants.push({});
        variants.push({ ...v.encryptionContext, [first]: `${v.encryptionContext[first]}x` });
        const { [first]: _removed, ...rest } = v.encryptionContext;
        variants.push(rest);
        variants.push({ ...rest, [`${first}x`]: v.encryptionContext[first] as string });
      }
      for (const context of variants) {
        expectRefused(key, blob, context);
      }
    });

    it('should refuse the blob when the key is different', () => {
      const other = key.slice();
      other[0] = (other[0] as number) ^ 1;
      expectRefused(other, blob, v.encryptionContext);
    });
  });
});
