import { needs } from '../needs.js';
import { runPool } from '../bytes.js';
import { CHUNKED_CHUNK_SIZE, CHUNKED_HEADER_LENGTH, CHUNKED_SEALED_CHUNK_SIZE } from './format.js';
import { verifyHeader } from './header.js';
import { checkInputKeyAndContext } from './kdf.js';
import { chunkedPlaintextLength, resolveChunkedOptions, type ChunkedOptions } from './length.js';
import { openChunk } from './raw.js';

/** Reads `length` ciphertext bytes from `offset` (for example a ranged GET or a file read). */
export type ChunkedCiphertextReader = (offset: number, length: number) => Promise<Uint8Array>;

export interface ChunkedRangeOptions extends ChunkedOptions {
  /** Also decrypt the final chunk, to authenticate the message length, whatever the range. */
  readonly authenticateLength?: boolean;
}

async function readExactly(
  read: ChunkedCiphertextReader,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const bytes = await read(offset, length);
  /* Precondition: the reader returned exactly the bytes asked for. */
  needs(
    bytes instanceof Uint8Array && bytes.length === length,
    'Chunked range reader returned the wrong number of bytes',
    'TRUNCATED',
  );
  return bytes;
}

/**
 * Decrypts plaintext bytes [start, end) of a chunked ciphertext of `ciphertextLength` bytes, reading only the header
 * and the chunks that cover the range (plus the final chunk when the length must be authenticated).
 *
 * Like `Array.prototype.slice`: a negative `start` or `end` counts from the end of the message, and a range past the
 * end is cut at the end. When the range is relative to the end, reaches or passes the end, or `authenticateLength`
 * is set, the final chunk is decrypted too, which proves the message length (so a range that reaches the end proves
 * that the message ends there). The commitment is always checked first.
 *
 * @throws EnvelopeError on an impossible ciphertext length, a wrong key or context, a chunk in the range (or the
 * final chunk, when read) that does not verify, a reader that returns the wrong length, or bad arguments.
 */
export async function chunkedDecryptRange(
  inputKey: Uint8Array,
  context: Uint8Array,
  read: ChunkedCiphertextReader,
  ciphertextLength: number,
  start: number,
  end: number,
  options?: ChunkedRangeOptions,
): Promise<Uint8Array> {
  checkInputKeyAndContext(inputKey, context);
  /* Precondition: the reader can be called. */
  needs(typeof read === 'function', 'Chunked range reader must be a function');
  /* Precondition: the bounds are byte offsets. */
  needs(
    Number.isSafeInteger(start) && Number.isSafeInteger(end),
    'Chunked range bounds must be safe integers',
  );
  const { aead, concurrency } = resolveChunkedOptions(options);
  const claimedLength = chunkedPlaintextLength(ciphertextLength);
  const from = start < 0 ? Math.max(claimedLength + start, 0) : start;
  const to = end < 0 ? Math.max(claimedLength + end, 0) : end;
  /* Precondition: the range is not reversed. */
  needs(from <= to, 'Chunked range start is after its end');
  const authenticateLength =
    options?.authenticateLength === true || start < 0 || end < 0 || to >= claimedLength;
  const first = Math.min(from, claimedLength);
  const last = Math.min(to, claimedLength);

  const keys = await verifyHeader(inputKey, context, await readExactly(read, 0, CHUNKED_HEADER_LENGTH));
  const chunkAead = await aead(keys.key);
  const openAt = async (index: number): Promise<Uint8Array> => {
    const offset = CHUNKED_HEADER_LENGTH + index * CHUNKED_SEALED_CHUNK_SIZE;
    const sealed = await readExactly(
      read,
      offset,
      Math.min(CHUNKED_SEALED_CHUNK_SIZE, ciphertextLength - offset),
    );
    return openChunk(chunkAead, keys.baseNonce, index, sealed);
  };

  const opened = new Map<number, Uint8Array>();
  if (authenticateLength) {
    const finalIndex = Math.floor(claimedLength / CHUNKED_CHUNK_SIZE);
    opened.set(finalIndex, await openAt(finalIndex));
  }
  const out = new Uint8Array(last - first);
  if (out.length === 0) {
    return out;
  }
  const firstIndex = Math.floor(first / CHUNKED_CHUNK_SIZE);
  const lastIndex = Math.floor((last - 1) / CHUNKED_CHUNK_SIZE);
  await runPool(lastIndex - firstIndex + 1, concurrency, async (i) => {
    const index = firstIndex + i;
    const plaintext = opened.get(index) ?? (await openAt(index));
    const chunkStart = index * CHUNKED_CHUNK_SIZE;
    const copyFrom = Math.max(first, chunkStart);
    const copyTo = Math.min(last, chunkStart + plaintext.length);
    out.set(plaintext.subarray(copyFrom - chunkStart, copyTo - chunkStart), copyFrom - first);
  });
  return out;
}
