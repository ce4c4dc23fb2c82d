import { needs } from '../needs.js';
import { webCryptoAead, type ChunkAeadFactory } from './aead.js';
import {
  CHUNKED_CHUNK_SIZE,
  CHUNKED_DEFAULT_CONCURRENCY,
  CHUNKED_HEADER_LENGTH,
  CHUNKED_MAX_CHUNKS,
  CHUNKED_MAX_CONCURRENCY,
  CHUNKED_SEALED_CHUNK_SIZE,
  CHUNKED_TAG_LENGTH,
} from './format.js';

/** Options shared by every chunked encryption entry point. */
export interface ChunkedOptions {
  /** The AES-256-GCM implementation; default `webCryptoAead`. */
  readonly aead?: ChunkAeadFactory;
  /**
   * Chunk operations kept in flight at once (by a stream: among the chunks of one written piece), 1..64; default 4.
   * Only an asynchronous AEAD has more than one. The output is the same for every value.
   */
  readonly concurrency?: number;
}

export interface ResolvedChunkedOptions {
  readonly aead: ChunkAeadFactory;
  readonly concurrency: number;
}

/** Fills in defaults and checks the options (internal). */
export function resolveChunkedOptions(options: ChunkedOptions | undefined): ResolvedChunkedOptions {
  const concurrency = options?.concurrency ?? CHUNKED_DEFAULT_CONCURRENCY;
  /* Precondition: at least one chunk can be in flight, and memory stays bounded. */
  needs(
    Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= CHUNKED_MAX_CONCURRENCY,
    'Chunked encryption concurrency must be an integer from 1 to 64',
  );
  const aead = options?.aead ?? webCryptoAead;
  /* Precondition: the AEAD factory can be called. */
  needs(typeof aead === 'function', 'Chunked encryption AEAD must be a function');
  return { aead, concurrency };
}

/** Whether an encrypted final chunk of this length is valid: a tag around 0..16383 plaintext bytes. */
export function isValidFinalChunkLength(sealedLength: number): boolean {
  return sealedLength >= CHUNKED_TAG_LENGTH && sealedLength < CHUNKED_SEALED_CHUNK_SIZE;
}

/**
 * The plaintext length of a chunk sequence (a ciphertext without its header, or a raw-mode ciphertext) of
 * `bodyLength` bytes: every chunk but the last is 16400 bytes, the last 16..16399 bytes.
 *
 * @throws EnvelopeError when no chunk sequence has this length (a cut or extended ciphertext) or it has more than
 * 2^38 chunks.
 */
export function chunkedBodyPlaintextLength(bodyLength: number): number {
  const fullChunks = Math.floor(bodyLength / CHUNKED_SEALED_CHUNK_SIZE);
  const finalLength = bodyLength - fullChunks * CHUNKED_SEALED_CHUNK_SIZE;
  /* Precondition: the body ends with a short final chunk of at least a tag (a full last chunk means a cut message). */
  needs(isValidFinalChunkLength(finalLength), 'Chunked ciphertext is truncated', 'TRUNCATED');
  /* Precondition: the message has at most 2^38 chunks. */
  needs(fullChunks + 1 <= CHUNKED_MAX_CHUNKS, 'Chunked message has more than 2^38 chunks', 'TOO_LONG');
  return fullChunks * CHUNKED_CHUNK_SIZE + finalLength - CHUNKED_TAG_LENGTH;
}

/**
 * The plaintext length of a chunked ciphertext (header included) of `ciphertextLength` bytes. Structural only: the
 * length is authenticated by decrypting the final chunk.
 *
 * @throws EnvelopeError when no valid ciphertext has this length.
 */
export function chunkedPlaintextLength(ciphertextLength: number): number {
  /* Precondition: the length is a byte count. */
  needs(
    Number.isSafeInteger(ciphertextLength) && ciphertextLength >= 0,
    'Chunked ciphertext length must be a non-negative safe integer',
  );
  /* Precondition: salt and commitment are present. */
  needs(
    ciphertextLength >= CHUNKED_HEADER_LENGTH,
    'Chunked ciphertext is shorter than its 56-byte header',
    'TRUNCATED',
  );
  return chunkedBodyPlaintextLength(ciphertextLength - CHUNKED_HEADER_LENGTH);
}

/** The number of chunks of a plaintext of this length: one more than its full chunks (the final one is short). */
export function chunkCount(plaintextLength: number): number {
  return Math.floor(plaintextLength / CHUNKED_CHUNK_SIZE) + 1;
}

/**
 * The ciphertext length (header included) of a plaintext of `plaintextLength` bytes: 56 + length + 16 per chunk.
 *
 * @throws EnvelopeError when the length is not a byte count or needs more than 2^38 chunks.
 */
export function chunkedCiphertextLength(plaintextLength: number): number {
  /* Precondition: the length is a byte count. */
  needs(
    Number.isSafeInteger(plaintextLength) && plaintextLength >= 0,
    'Chunked plaintext length must be a non-negative safe integer',
  );
  const chunks = chunkCount(plaintextLength);
  /* Precondition: the message has at most 2^38 chunks. */
  needs(chunks <= CHUNKED_MAX_CHUNKS, 'Chunked plaintext needs more than 2^38 chunks', 'TOO_LONG');
  return CHUNKED_HEADER_LENGTH + plaintextLength + chunks * CHUNKED_TAG_LENGTH;
}
