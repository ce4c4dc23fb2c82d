/**
 * The KMS ciphertext blob (docs/formats/ciphertext-blob.md) sealed and opened outside the platform with node:crypto
 * AES-256-GCM under a key the test knows: a blob the platform accepts proves which key material it used.
 */
import {
  ciphertextBlobAad,
  ciphertextBlobHeader,
  deserializeCiphertextBlob,
  serializeCiphertextBlob,
} from '@symbolon/formats';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const TAG_LENGTH = 16;

export function sealBlobOffline(
  key: Uint8Array,
  keyId: string,
  keyVersion: number,
  plaintext: Uint8Array,
  context: Record<string, string>,
): Uint8Array {
  const iv = randomBytes(12);
  const aad = ciphertextBlobAad(ciphertextBlobHeader(keyId, keyVersion), context);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  // Copies made in this realm: under Jest, node:crypto's Buffers may fail the formats library's instanceof checks.
  return serializeCiphertextBlob({
    keyId,
    keyVersion,
    iv: new Uint8Array(iv),
    sealed: new Uint8Array(sealed),
  });
}

/** Opens a blob with `key`; throws if the tag does not verify. */
export function openBlobOffline(
  key: Uint8Array,
  blob: Uint8Array,
  context: Record<string, string>,
): { keyId: string; keyVersion: number; plaintext: Buffer } {
  const parts = deserializeCiphertextBlob(new Uint8Array(blob));
  const sealed = Buffer.from(parts.sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(ciphertextBlobAad(parts.header, context));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  const plaintext = Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)),
    decipher.final(),
  ]);
  return { keyId: parts.keyId, keyVersion: parts.keyVersion, plaintext };
}
