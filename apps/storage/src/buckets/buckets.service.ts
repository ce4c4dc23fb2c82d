import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { lockBucket } from '../objects/objects.service.js';
import { BucketEntity, ObjectEntity, UploadEntity } from '../objects/storage.entities.js';
import { S3Error } from '../s3/errors.js';
import { checkBucketName } from '../s3/names.js';

/** Buckets of one tenant: every lookup names the tenant, so no tenant can reach another's (ADR 0017). */
export class BucketsService {
  constructor(private readonly ds: DataSource) {}

  /** The tenant's bucket of that name, or NoSuchBucket (also when another tenant has one of that name). */
  async find(tenantId: string, name: string): Promise<BucketEntity> {
    checkBucketName(name);
    const bucket = await this.ds.getRepository(BucketEntity).findOne({ where: { tenantId, name } });
    if (!bucket) {
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', `/${name}`, {
        BucketName: name,
      });
    }
    return bucket;
  }

  async create(tenantId: string, name: string): Promise<BucketEntity> {
    checkBucketName(name);
    const repo = this.ds.getRepository(BucketEntity);
    const owned = () =>
      new S3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        `/${name}`,
        { BucketName: name },
      );
    if (await repo.findOne({ where: { tenantId, name } })) throw owned();
    const bucket = repo.create({ id: randomUUID(), tenantId, name, createdAt: new Date() });
    try {
      await repo.insert(bucket);
    } catch (e) {
      // The same name created at the same time by the same tenant: the unique index decides.
      if (await repo.findOne({ where: { tenantId, name } })) throw owned();
      throw e;
    }
    return bucket;
  }

  /** Deletes an empty bucket (no objects and no multipart upload in progress), else BucketNotEmpty. */
  async delete(tenantId: string, name: string): Promise<void> {
    const bucket = await this.find(tenantId, name);
    await this.ds.transaction(async (m) => {
      // Locked first, as every commit into the bucket locks it: no object can be recorded while this counts.
      await lockBucket(m, bucket);
      const objects = await m.getRepository(ObjectEntity).count({ where: { bucketId: bucket.id }, take: 1 });
      const uploads = await m.getRepository(UploadEntity).count({ where: { bucketId: bucket.id }, take: 1 });
      if (objects > 0 || uploads > 0) {
        throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', `/${name}`, {
          BucketName: name,
        });
      }
      await m.getRepository(BucketEntity).delete({ id: bucket.id });
    });
  }

  async list(tenantId: string): Promise<BucketEntity[]> {
    return this.ds.getRepository(BucketEntity).find({ where: { tenantId }, order: { name: 'ASC' } });
  }
}
