import { needs } from '../needs.js';
import { CHUNKED_HEADER_LENGTH } from './format.js';
import { startEncryption, verifyHeader, type ChunkedEncryptOptions } from './header.js';
import { checkInputKeyAndContext } from './kdf.js';
import {
  chunkedCiphertextLength,
  chunkedPlaintextLength,
  resolveChunkedOptions,
  type ChunkedOptions,
} from './length.js';
import { openBody, sealBody } from './raw.js';

/**
 * Encrypts a whole message: salt || commitment || chunks (c2sp.org/chunked-encryption, Cobblestone-256).
 *
 * @param inputKey 32 uniformly random bytes; never used directly as an AES key.
 * @param context bytes bound to the message through the key derivation (may be empty); needed again to decrypt.
 * @param plaintext read while the promise is pending: the caller leaves it unchanged until it settles.
 * @throws EnvelopeError on a bad key, salt, context or plaintext.
 */
export async function encryptChunked(
  inputKey: Uint8Array,
  context: Uint8Array,
  plaintext: Uint8Array,
  options?: ChunkedEncryptOptions,
): Promise<Uint8Array> {
  checkInputKeyAndContext(inputKey, context);
  /* Precondition: the plaintext is bytes. */
  needs(plaintext instanceof Uint8Array, 'Chunked plaintext must be a Uint8Array');
  const { aead, concurrency } = resolveChunkedOptions(options);
  const out = new Uint8Array(chunkedCiphertextLength(plaintext.length));
  const { keys, header } = await startEncryption(inputKey, context, options?.salt);
  out.set(header, 0);
  await sealBody(await aead(keys.key), keys.baseNonce, plaintext, out, CHUNKED_HEADER_LENGTH, concurrency);
  return out;
}

/**
 * Decrypts a whole message. Checks the length, then the commitment, then every chunk; returns the plaintext only
 * when all of them verified (never a partial result).
 *
 * @throws EnvelopeError `TRUNCATED` on an impossible length (cut, extended), `BAD_TAG` on a wrong key or context
 * or any modified byte, `BAD_FIELD` on bad arguments.
 */
export async function decryptChunked(
  inputKey: Uint8Array,
  context: Uint8Array,
  ciphertext: Uint8Array,
  options?: ChunkedOptions,
): Promise<Uint8Array> {
  checkInputKeyAndContext(inputKey, context);
  /* Precondition: the ciphertext is bytes. */
  needs(ciphertext instanceof Uint8Array, 'Chunked ciphertext must be a Uint8Array');
  const { aead, concurrency } = resolveChunkedOptions(options);
  chunkedPlaintextLength(ciphertext.length);
  const keys = await verifyHeader(inputKey, context, ciphertext.subarray(0, CHUNKED_HEADER_LENGTH));
  return openBody(
    await aead(keys.key),
    keys.baseNonce,
    ciphertext.subarray(CHUNKED_HEADER_LENGTH),
    concurrency,
  );
}
