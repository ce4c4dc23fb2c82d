/**
 * The orphan sweep: deletes blobs that no object or multipart part references. A put stores the blob before the
 * caller records its id, so every blob is an orphan for a moment; blobs younger than `olderThanMs` are never
 * deleted, which keeps uploads whose metadata is not committed yet. `isReferenced` must count every reference the
 * service keeps (objects, and the parts of multipart uploads still in progress).
 */
import { type BlobStore, needs } from './blob-store.js';

export interface SweepOptions {
  /** Ids per `isReferenced` call (default 500). */
  batchSize?: number;
  /** The clock (for tests); default Date.now. */
  now?: () => number;
}

export interface SweepResult {
  /** Blobs listed. */
  scanned: number;
  /** Blobs old enough to be checked. */
  checked: number;
  /** Orphans deleted. */
  deleted: number;
}

export async function sweepOrphans(
  store: BlobStore,
  isReferenced: (ids: string[]) => Promise<Set<string>>,
  olderThanMs: number,
  opts: SweepOptions = {},
): Promise<SweepResult> {
  /* Precondition: the sweep age threshold is a non-negative number of milliseconds. */
  needs(
    Number.isFinite(olderThanMs) && olderThanMs >= 0,
    'the sweep age threshold is a non-negative number of milliseconds',
  );
  const batchSize = opts.batchSize ?? 500;
  /* Precondition: the sweep batch size is an integer from 1 to 10000. */
  needs(
    Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000,
    'the sweep batch size is an integer from 1 to 10000',
  );
  // One cutoff for the whole run: a blob created while the sweep runs is young by definition.
  const cutoff = (opts.now ?? Date.now)() - olderThanMs;
  const result: SweepResult = { scanned: 0, checked: 0, deleted: 0 };
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    const ids = batch;
    batch = [];
    const referenced = await isReferenced(ids);
    for (const id of ids) {
      if (referenced.has(id)) continue;
      await store.delete(id);
      result.deleted++;
    }
  };
  for await (const { blobId, createdAt } of store.list()) {
    result.scanned++;
    if (createdAt.getTime() > cutoff) continue;
    result.checked++;
    batch.push(blobId);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return result;
}
