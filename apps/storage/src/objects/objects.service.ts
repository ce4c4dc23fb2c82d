import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

import type { BlobStore, ByteRange } from '../blobs/blob-store.js';
import { type WriteCondition, checkWrite } from '../http/conditions.js';
import { S3Error } from '../s3/errors.js';
import {
  BlobGarbageEntity,
  type BlobRef,
  BucketEntity,
  ObjectBlobEntity,
  ObjectEntity,
} from './storage.entities.js';

/** What an object is, as S3 describes it (HEAD, GET, listings). */
export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  metadata: StoredMetadata;
  lastModified: Date;
  blobs: BlobRef[];
}

/** The object's user metadata (x-amz-meta-*, names lower-case) and the checksum its writer gave, if any. */
export interface StoredMetadata {
  user: Record<string, string>;
  checksum?: { algorithm: string; value: string };
}

/** A new version of an object, its blobs already durable. */
export interface NewObject {
  size: number;
  etag: string;
  contentType: string;
  metadata: StoredMetadata;
  blobs: BlobRef[];
}

/**
 * The one row `q` selects, locked for the rest of the transaction on PostgreSQL (SELECT ... FOR UPDATE); SQLite runs one
 * write transaction at a time, which locks as much.
 */
export function lockedRow<T extends ObjectLiteral>(
  m: EntityManager,
  q: SelectQueryBuilder<T>,
): Promise<T | null> {
  return (m.connection.options.type === 'postgres' ? q.setLock('pessimistic_write') : q).getOne();
}

/**
 * Locks the bucket row for the rest of the transaction (PostgreSQL; SQLite runs one write transaction at a time), so
 * that an object is never recorded into a bucket being deleted. NoSuchBucket when it is gone.
 */
export async function lockBucket(m: EntityManager, bucket: BucketEntity): Promise<void> {
  const q = m.getRepository(BucketEntity).createQueryBuilder('b').where('b.id = :id', { id: bucket.id });
  if (!(await lockedRow(m, q))) {
    throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', `/${bucket.name}`, {
      BucketName: bucket.name,
    });
  }
}

/** Marks blobs as no longer referenced; the sweep deletes them after a grace period. */
export async function dropBlobs(m: EntityManager, blobIds: readonly string[]): Promise<void> {
  if (blobIds.length === 0) return;
  const droppedAt = new Date();
  await m
    .getRepository(BlobGarbageEntity)
    .createQueryBuilder()
    .insert()
    .values(blobIds.map((blobId) => ({ blobId, droppedAt })))
    .orIgnore()
    .execute();
}

/** Drops the blobs of an object version that is replaced or deleted. */
async function unreference(m: EntityManager, old: ObjectEntity): Promise<void> {
  await m.getRepository(ObjectBlobEntity).delete({ objectId: old.id });
  await dropBlobs(
    m,
    (JSON.parse(old.blobs) as BlobRef[]).map((b) => b.blobId),
  );
}

function toInfo(row: ObjectEntity): ObjectInfo {
  return {
    key: row.key,
    size: row.size,
    etag: row.etag,
    contentType: row.contentType,
    metadata: JSON.parse(row.metadata) as StoredMetadata,
    lastModified: row.lastModified,
    blobs: JSON.parse(row.blobs) as BlobRef[],
  };
}

const noSuchKey = (bucket: BucketEntity, key: string) =>
  new S3Error('NoSuchKey', 'The specified key does not exist.', `/${bucket.name}/${key}`, { Key: key });

/** Objects of a bucket: recorded only once their bytes are durable, replaced in one step, read as blob streams. */
export class ObjectsService {
  constructor(
    private readonly ds: DataSource,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Records `next` as the object `key` (last writer wins, unless `condition` says otherwise) and drops the blobs of the
   * version it replaces. With `inside`, runs in that transaction (a multipart completion).
   */
  async commit(
    bucket: BucketEntity,
    key: string,
    next: NewObject,
    inside?: EntityManager,
    condition: WriteCondition = {},
  ): Promise<Date> {
    const lastModified = new Date();
    const write = async (m: EntityManager) => {
      await lockBucket(m, bucket);
      const repo = m.getRepository(ObjectEntity);
      const q = repo
        .createQueryBuilder('o')
        .where('o.bucketId = :b AND o.key = :k', { b: bucket.id, k: key });
      const old = await lockedRow(m, q);
      // Against the version this replaces, under its lock: a conditional write is atomic.
      checkWrite(condition, old ?? undefined, key);
      const row = {
        size: next.size,
        etag: next.etag,
        contentType: next.contentType,
        metadata: JSON.stringify(next.metadata),
        blobs: JSON.stringify(next.blobs),
        lastModified,
      };
      const objectId = old?.id ?? randomUUID();
      if (old) {
        await repo.update({ id: old.id }, row);
        await unreference(m, old);
      } else {
        await repo.insert({ id: objectId, bucketId: bucket.id, key, ...row });
      }
      await m.getRepository(ObjectBlobEntity).insert(next.blobs.map(({ blobId }) => ({ blobId, objectId })));
    };
    if (inside) {
      await write(inside);
      return lastModified;
    }
    try {
      await this.ds.transaction(write);
    } catch (e) {
      // Two first versions of one key at once: the unique index let one in; the other now replaces it.
      if (!(await this.ds.getRepository(ObjectEntity).findOne({ where: { bucketId: bucket.id, key } })))
        throw e;
      await this.ds.transaction(write);
    }
    return lastModified;
  }

  async find(bucket: BucketEntity, key: string): Promise<ObjectInfo> {
    const row = await this.ds.getRepository(ObjectEntity).findOne({ where: { bucketId: bucket.id, key } });
    if (!row) throw noSuchKey(bucket, key);
    return toInfo(row);
  }

  /** Deletes the object if it exists (S3 answers 204 either way). */
  async delete(bucket: BucketEntity, key: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const repo = m.getRepository(ObjectEntity);
      const old = await repo.findOne({ where: { bucketId: bucket.id, key } });
      if (!old) return;
      await repo.delete({ id: old.id });
      await unreference(m, old);
    });
  }

  /**
   * Up to `limit` objects with keys after `after` starting with `prefix`, in UTF-8 byte order. Keys with a prefix are
   * one contiguous run in that order: the query starts at the prefix and the page stops at the first key without it.
   */
  async page(bucket: BucketEntity, prefix: string, after: string, limit: number): Promise<ObjectInfo[]> {
    const rows = await this.ds
      .getRepository(ObjectEntity)
      .createQueryBuilder('o')
      .where('o.bucketId = :b', { b: bucket.id })
      .andWhere('o.key > :after', { after })
      .andWhere('o.key >= :prefix', { prefix })
      .orderBy('o.key', 'ASC')
      .limit(limit)
      .getMany();
    const end = rows.findIndex((r) => !r.key.startsWith(prefix));
    return (end === -1 ? rows : rows.slice(0, end)).map(toInfo);
  }

  /**
   * The bytes [start, end] of an object (all of it without a range) as one stream over its blobs, opened one after
   * the other: memory stays at one blob stream's buffer whatever the size.
   */
  read(info: ObjectInfo, range?: ByteRange): Readable {
    const start = range?.start ?? 0;
    const end = range?.end ?? info.size - 1;
    const blobs = this.blobs;
    async function* bytes(): AsyncGenerator<Buffer> {
      let offset = 0;
      for (const blob of info.blobs) {
        const first = Math.max(start, offset);
        const last = Math.min(end, offset + blob.size - 1);
        if (first <= last) {
          const stream = await blobs.get(blob.blobId, { start: first - offset, end: last - offset });
          for await (const chunk of stream) yield chunk as Buffer;
        }
        offset += blob.size;
        if (offset > end) return;
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }
}
