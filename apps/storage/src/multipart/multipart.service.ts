import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

import {
  type NewObject,
  type ObjectsService,
  type StoredMetadata,
  dropBlobs,
  lockBucket,
  lockedRow,
} from '../objects/objects.service.js';
import { type BucketEntity, UploadEntity, UploadPartEntity } from '../objects/storage.entities.js';
import type { WriteCondition } from '../http/conditions.js';
import { S3Error } from '../s3/errors.js';

/** S3's smallest part but the last: 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface PartInfo {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: Date;
}

/** The part list of CompleteMultipartUpload, as the client sent it. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

const noSuchUpload = (uploadId: string, resource?: string) =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    resource,
    { UploadId: uploadId.slice(0, 64) },
  );

/**
 * Locks the upload's row for the rest of the transaction (PostgreSQL; SQLite runs one write transaction at a time):
 * a part, a completion and an abort of one upload never interleave, so no completed object can name a part's blob
 * that an abort or a re-uploaded part dropped. NoSuchUpload when it is gone (completed or aborted meanwhile).
 */
async function lockUpload(m: EntityManager, uploadId: string, resource?: string): Promise<void> {
  const q = m.getRepository(UploadEntity).createQueryBuilder('u').where('u.uploadId = :id', { id: uploadId });
  if (!(await lockedRow(m, q))) throw noSuchUpload(uploadId, resource);
}

/** Strips the quotes S3 clients may or may not send around an ETag. */
const bare = (etag: string) => etag.replace(/^"|"$/g, '');

/**
 * Multipart uploads: parts are blobs recorded per upload; completing records the object as those blobs in order (no
 * copy), in one transaction with the removal of the upload.
 */
export class MultipartService {
  constructor(
    private readonly ds: DataSource,
    private readonly objects: ObjectsService,
  ) {}

  async create(
    bucket: BucketEntity,
    key: string,
    contentType: string,
    metadata: StoredMetadata,
  ): Promise<string> {
    const uploadId = randomBytes(24).toString('base64url');
    await this.ds.transaction(async (m) => {
      // As for an object: never into a bucket being deleted.
      await lockBucket(m, bucket);
      await m.getRepository(UploadEntity).insert({
        uploadId,
        bucketId: bucket.id,
        key,
        contentType,
        metadata: JSON.stringify(metadata),
        initiatedAt: new Date(),
      });
    });
    return uploadId;
  }

  /** The upload `uploadId` of this bucket and key, or NoSuchUpload. */
  async find(bucket: BucketEntity, key: string, uploadId: string): Promise<UploadEntity> {
    // Upload ids are this service's (base64url): anything else names no upload, without asking the database.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(uploadId)) throw noSuchUpload(uploadId, `/${bucket.name}/${key}`);
    const upload = await this.ds
      .getRepository(UploadEntity)
      .findOne({ where: { uploadId: uploadId.slice(0, 64), bucketId: bucket.id, key } });
    if (!upload) throw noSuchUpload(uploadId, `/${bucket.name}/${key}`);
    return upload;
  }

  /** Records a durable part blob (replacing an earlier upload of that number). */
  async putPart(
    upload: UploadEntity,
    partNumber: number,
    blobId: string,
    size: number,
    etag: string,
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      const repo = m.getRepository(UploadPartEntity);
      // The upload may have been completed or aborted while the part streamed in.
      await lockUpload(m, upload.uploadId);
      const old = await repo.findOne({ where: { uploadId: upload.uploadId, partNumber } });
      if (old) await dropBlobs(m, [old.blobId]);
      await repo.save({
        uploadId: upload.uploadId,
        partNumber,
        blobId,
        size,
        etag,
        lastModified: new Date(),
      });
    });
  }

  async parts(upload: UploadEntity, after: number, limit: number): Promise<PartInfo[]> {
    const rows = await this.ds
      .getRepository(UploadPartEntity)
      .createQueryBuilder('p')
      .where('p.uploadId = :u AND p.partNumber > :after', { u: upload.uploadId, after })
      .orderBy('p.partNumber', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(({ partNumber, size, etag, lastModified }) => ({ partNumber, size, etag, lastModified }));
  }

  /**
   * Completes the upload with the parts listed (ascending, each uploaded with that ETag, each but the last at least
   * 5 MiB): the object becomes those parts' blobs; parts not listed are dropped. ETag: MD5 of the parts' MD5s, "-n".
   */
  async complete(
    bucket: BucketEntity,
    upload: UploadEntity,
    listed: readonly CompletedPart[],
    condition: WriteCondition = {},
  ): Promise<{ etag: string; lastModified: Date }> {
    const resource = `/${bucket.name}/${upload.key}`;
    for (let i = 1; i < listed.length; i++) {
      if (listed[i]!.partNumber <= listed[i - 1]!.partNumber) {
        throw new S3Error(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
          resource,
        );
      }
    }
    return this.ds.transaction(async (m) => {
      await lockBucket(m, bucket);
      // Completed or aborted meanwhile; and from here no part of it changes until this commits.
      await lockUpload(m, upload.uploadId, resource);
      const stored = await m.getRepository(UploadPartEntity).find({ where: { uploadId: upload.uploadId } });
      const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
      const chosen = listed.map(({ partNumber, etag }, i) => {
        const part = byNumber.get(partNumber);
        if (!part || bare(part.etag) !== bare(etag)) {
          throw new S3Error(
            'InvalidPart',
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            resource,
            { PartNumber: String(partNumber) },
          );
        }
        if (i < listed.length - 1 && part.size < MIN_PART_SIZE) {
          throw new S3Error(
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed object size.',
            resource,
            {
              PartNumber: String(partNumber),
              ProposedSize: String(part.size),
              MinSizeAllowed: String(MIN_PART_SIZE),
            },
          );
        }
        return part;
      });
      const md5s = createHash('md5');
      for (const part of chosen) md5s.update(Buffer.from(bare(part.etag), 'hex'));
      const etag = `"${md5s.digest('hex')}-${chosen.length}"`;
      const next: NewObject = {
        size: chosen.reduce((n, p) => n + p.size, 0),
        etag,
        contentType: upload.contentType,
        metadata: JSON.parse(upload.metadata) as StoredMetadata,
        blobs: chosen.map((p) => ({ blobId: p.blobId, size: p.size })),
      };
      const kept = new Set(chosen.map((p) => p.blobId));
      await dropBlobs(
        m,
        stored.filter((p) => !kept.has(p.blobId)).map((p) => p.blobId),
      );
      await m.getRepository(UploadPartEntity).delete({ uploadId: upload.uploadId });
      await m.getRepository(UploadEntity).delete({ uploadId: upload.uploadId });
      const lastModified = await this.objects.commit(bucket, upload.key, next, m, condition);
      return { etag, lastModified };
    });
  }

  /**
   * The bucket's uploads in progress, by key then upload id, after (keyMarker, uploadIdMarker), with keys starting
   * with `prefix`: up to `limit`.
   */
  async list(
    bucket: BucketEntity,
    prefix: string,
    keyMarker: string,
    uploadIdMarker: string,
    limit: number,
  ): Promise<UploadEntity[]> {
    const rows = await this.ds
      .getRepository(UploadEntity)
      .createQueryBuilder('u')
      .where('u.bucketId = :b', { b: bucket.id })
      .andWhere('u.key >= :prefix', { prefix })
      // Without an upload id marker S3 lists only keys after the key marker; with one, that key's later uploads too.
      .andWhere(uploadIdMarker === '' ? 'u.key > :k' : '(u.key > :k OR (u.key = :k AND u.uploadId > :id))', {
        k: keyMarker,
        id: uploadIdMarker,
      })
      .orderBy('u.key', 'ASC')
      .addOrderBy('u.uploadId', 'ASC')
      .limit(limit)
      .getMany();
    const end = rows.findIndex((u) => !u.key.startsWith(prefix));
    return end === -1 ? rows : rows.slice(0, end);
  }

  /**
   * Aborts uploads begun before `cutoff` (a client that crashed mid-upload leaves one: S3's lifecycle rule
   * AbortIncompleteMultipartUpload, always on). Returns how many.
   */
  async expire(cutoff: Date): Promise<number> {
    const old = await this.ds
      .getRepository(UploadEntity)
      .createQueryBuilder('u')
      .where('u.initiatedAt < :cutoff', { cutoff })
      .limit(100)
      .getMany();
    let expired = 0;
    for (const upload of old) {
      await this.abort(upload).then(
        () => expired++,
        (e: unknown) => {
          // Completed or aborted by its client meanwhile.
          if (!(e instanceof S3Error && e.code === 'NoSuchUpload')) throw e;
        },
      );
    }
    return expired;
  }

  /** Drops every part and the upload. */
  async abort(upload: UploadEntity): Promise<void> {
    await this.ds.transaction(async (m) => {
      await lockUpload(m, upload.uploadId);
      const parts = await m.getRepository(UploadPartEntity).find({ where: { uploadId: upload.uploadId } });
      await dropBlobs(
        m,
        parts.map((p) => p.blobId),
      );
      await m.getRepository(UploadPartEntity).delete({ uploadId: upload.uploadId });
      await m.getRepository(UploadEntity).delete({ uploadId: upload.uploadId });
    });
  }
}
