import { needs } from '../needs.js';
import { concatBytes, constantTimeEqual } from '../bytes.js';
import { CHUNKED_HEADER_LENGTH, CHUNKED_SALT_LENGTH } from './format.js';
import { deriveChunkKeys, type ChunkKeys } from './kdf.js';
import type { ChunkedOptions } from './length.js';

/** Options of the encrypting entry points. */
export interface ChunkedEncryptOptions extends ChunkedOptions {
  /**
   * The 24-byte salt; default 24 fresh random bytes. Only for known-answer tests: a salt must never repeat under
   * one input key.
   */
  readonly salt?: Uint8Array;
}

/** Derives the message keys for encryption and returns them with the header salt || commitment (internal). */
export async function startEncryption(
  inputKey: Uint8Array,
  context: Uint8Array,
  salt: Uint8Array | undefined,
): Promise<{ keys: ChunkKeys; header: Uint8Array }> {
  const chosenSalt = salt ?? globalThis.crypto.getRandomValues(new Uint8Array(CHUNKED_SALT_LENGTH));
  const keys = await deriveChunkKeys(inputKey, chosenSalt, context);
  return { keys, header: concatBytes(chosenSalt, keys.commitment) };
}

/**
 * Derives the message keys from a received 56-byte header and checks its commitment, in constant time, before any
 * chunk is opened (internal).
 */
export async function verifyHeader(
  inputKey: Uint8Array,
  context: Uint8Array,
  header: Uint8Array,
): Promise<ChunkKeys> {
  const keys = await deriveChunkKeys(inputKey, header.subarray(0, CHUNKED_SALT_LENGTH), context);
  /* Precondition: the commitment matches (wrong key or context, or a modified salt or commitment, fail here). */
  needs(
    constantTimeEqual(keys.commitment, header.subarray(CHUNKED_SALT_LENGTH, CHUNKED_HEADER_LENGTH)),
    'Chunked ciphertext commitment does not match',
    'BAD_TAG',
  );
  return keys;
}
