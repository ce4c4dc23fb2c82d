/**
 * The storage backends' one interface. A blob is an immutable byte sequence with a random id; an object (recorded in
 * the database by the storage service) is an ordered list of blob ids, one per multipart part. Blob stores know
 * nothing about buckets, keys, tenants or metadata, and never concatenate blobs.
 *
 * Implementations: LocalFolderBlobStore (the embedded default) and JetStreamBlobStore (clustered deployments).
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

import type { ByteRange } from '../s3/range.js';

/** A blob as `list()` reports it. */
export interface BlobEntry {
  blobId: string;
  /**
   * When the blob became durable (or a moment after that, never before its last byte was stored). The orphan sweep
   * spares blobs younger than its threshold, so an upload whose metadata is not committed yet survives.
   */
  createdAt: Date;
}

/** An inclusive byte range of a blob (`0 <= start <= end < size`): the one of a Range header. */
export type { ByteRange };

export interface BlobStore {
  /**
   * Streams `body` into a new blob and resolves once it is durable, with its id and size. Until the caller records
   * the id, the blob is an orphan (swept later). If `body` errors or is cut, rejects and leaves no visible blob.
   * Memory stays constant: the body is read only as fast as it is stored.
   */
  put(body: Readable): Promise<{ blobId: string; size: number }>;
  /**
   * The bytes [start, end] (inclusive) of a blob, or all of it. Rejects with BlobNotFoundError when it is gone (or the
   * id is malformed), and with BlobStoreError when the range is not `0 <= start <= end < size`.
   */
  get(blobId: string, range?: ByteRange): Promise<Readable>;
  /** Removes a blob; no error when it is already gone (or the id is malformed: no such blob can exist). */
  delete(blobId: string): Promise<void>;
  /**
   * Every blob present, with its creation time, for the orphan sweep: in any order, streamed (memory does not grow
   * with the number of blobs). A blob deleted while the listing runs may or may not appear.
   */
  list(): AsyncIterable<BlobEntry>;
  /** Removes what a crash left (temporary files, incomplete uploads); called at start. */
  recover(): Promise<void>;
  /** Releases what the store opened itself (never a connection it was given). */
  close(): Promise<void>;
}

/** The blob does not exist (never stored, deleted, or a malformed id). Carries the id only. */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly blobId: string) {
    super('blob not found');
  }
}

/** A caller's mistake (bad range, bad option). */
export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
}

/**
 * Visible precondition: throws a `BlobStoreError` carrying `message` when `condition` is falsy. Every message has a
 * test named exactly after it (scripts/check-preconditions.mjs).
 */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BlobStoreError(message);
}

/** 128 random bits as 32 lowercase hex digits: URL-safe, a plain file name on every file system (no case folding). */
const BLOB_ID = /^[0-9a-f]{32}$/;

export function newBlobId(): string {
  return randomBytes(16).toString('hex');
}

/** True for ids `newBlobId` can produce; anything else (`..`, `/`, empty, long) is no blob. */
export function isBlobId(id: unknown): id is string {
  return typeof id === 'string' && BLOB_ID.test(id);
}

/** Checks a range against the blob's size (shared by the stores, so both reject the same ranges). */
export function checkRange(range: ByteRange, size: number): void {
  /* Precondition: a range has integer bounds with 0 <= start <= end < size. */
  needs(
    Number.isSafeInteger(range.start) &&
      Number.isSafeInteger(range.end) &&
      range.start >= 0 &&
      range.start <= range.end &&
      range.end < size,
    'a range has integer bounds with 0 <= start <= end < size',
  );
}
