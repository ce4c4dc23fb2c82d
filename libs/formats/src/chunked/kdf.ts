import { needs } from '../needs.js';
import { bufferSource, concatBytes } from '../bytes.js';
import {
  CHUNKED_AEAD_NAME,
  CHUNKED_COMMITMENT_LENGTH,
  CHUNKED_DERIVED_LENGTH,
  CHUNKED_INFO_PREFIX,
  CHUNKED_KEY_LENGTH,
  CHUNKED_MAX_CHUNKS,
  CHUNKED_NONCE_LENGTH,
  CHUNKED_SALT_LENGTH,
} from './format.js';

/** The single-use values derived for one message. */
export interface ChunkKeys {
  /** The 32-byte AES-256-GCM key. */
  readonly key: Uint8Array;
  /** The 12-byte base nonce; chunk `i` uses `chunkNonce(baseNonce, i)`. */
  readonly baseNonce: Uint8Array;
  /** The 32-byte key commitment, stored after the salt. */
  readonly commitment: Uint8Array;
}

const INFO_LABEL = new TextEncoder().encode(`${CHUNKED_INFO_PREFIX}${CHUNKED_AEAD_NAME}\u0000`);
const SHA512_LENGTH = 64;

/** HKDF-Expand (RFC 5869 section 2.3) with HMAC-SHA-512; WebCrypto's HKDF always extracts first, so not used. */
async function hkdfExpandSha512(prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const hmacKey = await globalThis.crypto.subtle.importKey(
    'raw',
    bufferSource(prk),
    { name: 'HMAC', hash: 'SHA-512' },
    false,
    ['sign'],
  );
  const okm = new Uint8Array(Math.ceil(length / SHA512_LENGTH) * SHA512_LENGTH);
  let previous: Uint8Array = new Uint8Array(0);
  for (let block = 1; block * SHA512_LENGTH - SHA512_LENGTH < length; block++) {
    const input = concatBytes(previous, info, Uint8Array.of(block));
    previous = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', hmacKey, input));
    okm.set(previous, (block - 1) * SHA512_LENGTH);
  }
  return okm.slice(0, length);
}

/** Checks the arguments every entry point takes first, before reading any input (internal). */
export function checkInputKeyAndContext(inputKey: Uint8Array, context: Uint8Array): void {
  /* Precondition: the input key has the AEAD's key length (Cobblestone-256: 32 bytes). */
  needs(
    inputKey instanceof Uint8Array && inputKey.length === CHUNKED_KEY_LENGTH,
    'Chunked encryption input key must be 32 bytes',
  );
  /* Precondition: the context is bytes (it may be empty). */
  needs(context instanceof Uint8Array, 'Chunked encryption context must be a Uint8Array');
}

/**
 * Derives key || base nonce || commitment = HKDF-Expand-SHA-512(prk = inputKey,
 * info = "c2sp.org/chunked-encryption@v1+" || "AEAD_AES_256_GCM" || 0x00 || salt || context, L = 76).
 *
 * @throws EnvelopeError when the input key is not 32 bytes, the salt not 24 bytes or the context not bytes.
 */
export async function deriveChunkKeys(
  inputKey: Uint8Array,
  salt: Uint8Array,
  context: Uint8Array,
): Promise<ChunkKeys> {
  checkInputKeyAndContext(inputKey, context);
  /* Precondition: the salt is the 24-byte header field. */
  needs(
    salt instanceof Uint8Array && salt.length === CHUNKED_SALT_LENGTH,
    'Chunked encryption salt must be 24 bytes',
  );

  const okm = await hkdfExpandSha512(
    inputKey,
    concatBytes(INFO_LABEL, salt, context),
    CHUNKED_DERIVED_LENGTH,
  );
  const nonceAt = CHUNKED_KEY_LENGTH;
  const commitmentAt = nonceAt + CHUNKED_NONCE_LENGTH;
  return {
    key: okm.slice(0, nonceAt),
    baseNonce: okm.slice(nonceAt, commitmentAt),
    commitment: okm.slice(commitmentAt, commitmentAt + CHUNKED_COMMITMENT_LENGTH),
  };
}

/**
 * The nonce of chunk `index`: `baseNonce` XOR `index` as a 96-bit big-endian integer (only the last 5 bytes change,
 * since `index < 2^38`).
 *
 * @throws EnvelopeError when the base nonce is not 12 bytes, or `index` is not an integer in [0, 2^38).
 */
export function chunkNonce(baseNonce: Uint8Array, index: number): Uint8Array {
  /* Precondition: the base nonce has the AEAD's nonce length. */
  needs(
    baseNonce instanceof Uint8Array && baseNonce.length === CHUNKED_NONCE_LENGTH,
    'Chunked encryption base nonce must be 12 bytes',
  );
  /* Precondition: the counter never reaches 2^38 (the specification's abort condition). */
  needs(
    Number.isInteger(index) && index >= 0 && index < CHUNKED_MAX_CHUNKS,
    'Chunk index must be an integer below 2^38',
    'TOO_LONG',
  );
  const nonce = baseNonce.slice();
  const high = Math.floor(index / 2 ** 32);
  const low = index >>> 0;
  nonce[7] ^= high;
  nonce[8] ^= low >>> 24;
  nonce[9] ^= (low >>> 16) & 0xff;
  nonce[10] ^= (low >>> 8) & 0xff;
  nonce[11] ^= low & 0xff;
  return nonce;
}
