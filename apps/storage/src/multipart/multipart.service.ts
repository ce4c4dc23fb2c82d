import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

import {
  type NewObject,
  type ObjectsService,
  type StoredMetadata,
  dropBlobs,
  lockBucket,
} from '../objects/objects.service.js';
import { type BucketEntity, UploadEntity, UploadPartEntity } from '../objects/storage.entities.js';
import { S3Error } from '../s3/errors.js';

/** S3's smallest part but the last: 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's highest part number. */
export const MAX_PART_NUMBER = 10_000;

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
    const upload = await this.ds
      .getRepository(UploadEntity)
      .findOne({ where: { uploadId: uploadId.slice(0, 64), bucketId: bucket.id, key } });
    if (!upload) {
      throw new S3Error(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        `/${bucket.name}/${key}`,
        { UploadId: uploadId.slice(0, 64) },
      );
    }
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
      if (!(await m.getRepository(UploadEntity).findOne({ where: { uploadId: upload.uploadId } }))) {
        throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', undefined, {
          UploadId: upload.uploadId,
        });
      }
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
      const stored = await m.getRepository(UploadPartEntity).find({ where: { uploadId: upload.uploadId } });
      // Completed or aborted meanwhile.
      if (!(await m.getRepository(UploadEntity).findOne({ where: { uploadId: upload.uploadId } }))) {
        throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', resource, {
          UploadId: upload.uploadId,
        });
      }
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
      const lastModified = await this.objects.commit(bucket, upload.key, next, m);
      return { etag, lastModified };
    });
  }

  /** Drops every part and the upload. */
  async abort(upload: UploadEntity): Promise<void> {
    await this.ds.transaction(async (m) => {
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
