import { needs } from '../needs.js';
import type { ChunkAead } from './aead.js';
import { runPool } from '../bytes.js';
import {
  CHUNKED_CHUNK_SIZE,
  CHUNKED_KEY_LENGTH,
  CHUNKED_NONCE_LENGTH,
  CHUNKED_SEALED_CHUNK_SIZE,
  CHUNKED_TAG_LENGTH,
} from './format.js';
import { chunkNonce } from './kdf.js';
import {
  chunkCount,
  chunkedBodyPlaintextLength,
  resolveChunkedOptions,
  type ChunkedOptions,
} from './length.js';

/** Checks that an AEAD result has the length AES-GCM gives it (guards against a faulty injected AEAD). */
export function checkAeadOutput(output: Uint8Array, expectedLength: number): Uint8Array {
  /* Precondition: the AEAD returned bytes of the expected length, so no chunk overruns its slot. */
  needs(
    output instanceof Uint8Array && output.length === expectedLength,
    'Chunk AEAD output has the wrong length',
  );
  return output;
}

/** Seals chunk `index` of a message (its plaintext slice already cut). */
export async function sealChunk(
  aead: ChunkAead,
  baseNonce: Uint8Array,
  index: number,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const nonce = chunkNonce(baseNonce, index);
  return checkAeadOutput(await aead.seal(nonce, plaintext), plaintext.length + CHUNKED_TAG_LENGTH);
}

/** Opens chunk `index` of a message; resolves only when its tag verified. */
export async function openChunk(
  aead: ChunkAead,
  baseNonce: Uint8Array,
  index: number,
  sealed: Uint8Array,
): Promise<Uint8Array> {
  const nonce = chunkNonce(baseNonce, index);
  return checkAeadOutput(await aead.open(nonce, sealed), sealed.length - CHUNKED_TAG_LENGTH);
}

/** Seals a whole plaintext as a chunk sequence into `out` from `outOffset` (internal). */
export async function sealBody(
  aead: ChunkAead,
  baseNonce: Uint8Array,
  plaintext: Uint8Array,
  out: Uint8Array,
  outOffset: number,
  concurrency: number,
): Promise<void> {
  await runPool(chunkCount(plaintext.length), concurrency, async (index) => {
    const start = index * CHUNKED_CHUNK_SIZE;
    const slice = plaintext.subarray(start, Math.min(start + CHUNKED_CHUNK_SIZE, plaintext.length));
    out.set(await sealChunk(aead, baseNonce, index, slice), outOffset + index * CHUNKED_SEALED_CHUNK_SIZE);
  });
}

/** Opens a whole chunk sequence; resolves only when every chunk verified (internal). */
export async function openBody(
  aead: ChunkAead,
  baseNonce: Uint8Array,
  body: Uint8Array,
  concurrency: number,
): Promise<Uint8Array> {
  const plaintext = new Uint8Array(chunkedBodyPlaintextLength(body.length));
  await runPool(chunkCount(plaintext.length), concurrency, async (index) => {
    const start = index * CHUNKED_SEALED_CHUNK_SIZE;
    const sealed = body.subarray(start, Math.min(start + CHUNKED_SEALED_CHUNK_SIZE, body.length));
    plaintext.set(await openChunk(aead, baseNonce, index, sealed), index * CHUNKED_CHUNK_SIZE);
  });
  return plaintext;
}

function checkRawKeys(aeadKey: Uint8Array, baseNonce: Uint8Array): void {
  /* Precondition: the AEAD key is an AES-256 key. */
  needs(
    aeadKey instanceof Uint8Array && aeadKey.length === CHUNKED_KEY_LENGTH,
    'Chunked encryption AEAD key must be 32 bytes',
  );
  /* Precondition: the base nonce has the AEAD's nonce length. */
  needs(
    baseNonce instanceof Uint8Array && baseNonce.length === CHUNKED_NONCE_LENGTH,
    'Chunked encryption base nonce must be 12 bytes',
  );
}

/**
 * HAZMAT. Raw mode (the specification's appendix): seals `plaintext` as chunks under a caller-supplied AEAD key and
 * base nonce, with no salt, no commitment and no key derivation. The key and base nonce must be uniformly random
 * and never reused. For implementing protocols and for test vectors; applications use `encryptChunked`.
 */
export async function hazmatRawChunkedEncrypt(
  aeadKey: Uint8Array,
  baseNonce: Uint8Array,
  plaintext: Uint8Array,
  options?: ChunkedOptions,
): Promise<Uint8Array> {
  checkRawKeys(aeadKey, baseNonce);
  /* Precondition: the plaintext is bytes. */
  needs(plaintext instanceof Uint8Array, 'Chunked plaintext must be a Uint8Array');
  const { aead, concurrency } = resolveChunkedOptions(options);
  const out = new Uint8Array(plaintext.length + chunkCount(plaintext.length) * CHUNKED_TAG_LENGTH);
  await sealBody(await aead(aeadKey), baseNonce, plaintext, out, 0, concurrency);
  return out;
}

/**
 * HAZMAT. Raw mode decryption: opens a chunk sequence sealed by `hazmatRawChunkedEncrypt`. Returns the plaintext
 * only when every chunk verified; no key commitment is checked (raw mode has none).
 *
 * @throws EnvelopeError on a truncated or extended chunk sequence or a chunk that does not verify (`BAD_TAG`).
 */
export async function hazmatRawChunkedDecrypt(
  aeadKey: Uint8Array,
  baseNonce: Uint8Array,
  ciphertext: Uint8Array,
  options?: ChunkedOptions,
): Promise<Uint8Array> {
  checkRawKeys(aeadKey, baseNonce);
  /* Precondition: the ciphertext is bytes. */
  needs(ciphertext instanceof Uint8Array, 'Chunked ciphertext must be a Uint8Array');
  const { aead, concurrency } = resolveChunkedOptions(options);
  chunkedBodyPlaintextLength(ciphertext.length);
  return openBody(await aead(aeadKey), baseNonce, ciphertext, concurrency);
}
