import { bigintToNumber, timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A bucket: its name is unique within its tenant only (ADR 0017), so no tenant learns another's names. */
@Entity({ name: 'buckets' })
@Index('idx_buckets_tenant_name', ['tenantId', 'name'], { unique: true })
export class BucketEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 12 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 63 })
  name!: string;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}

/** One stored piece of an object: a blob of the backend and its length. */
export interface BlobRef {
  blobId: string;
  size: number;
}

/**
 * An object: its bytes are the blobs in order (one for a PUT, one per part for a multipart upload). A row exists only
 * once every blob is durable, so an object is never seen partly written; replacing it is one row update.
 */
@Entity({ name: 'objects' })
@Index('idx_objects_bucket_key', ['bucketId', 'key'], { unique: true })
export class ObjectEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'bucket_id', type: 'varchar', length: 36 })
  bucketId!: string;

  /** Compared byte-wise (UTF-8 order, as S3 lists keys): binary collation on both databases (the migration). */
  @Column({ type: 'varchar', length: 1024 })
  key!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  /** Quoted, as S3 sends it: "<md5 hex>" or "<md5 of the part md5s>-<parts>". */
  @Column({ type: 'varchar', length: 64 })
  etag!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 256 })
  contentType!: string;

  /** x-amz-meta-* pairs and the stored checksum, as JSON. */
  @Column({ type: 'text' })
  metadata!: string;

  /** BlobRef[] as JSON. */
  @Column({ type: 'text' })
  blobs!: string;

  @Column({ name: 'last_modified', type: timestampType() })
  lastModified!: Date;
}

/** Which object each blob belongs to: how the orphan sweep knows a blob is referenced (objects.blobs is JSON). */
@Entity({ name: 'object_blobs' })
@Index('idx_object_blobs_object', ['objectId'])
export class ObjectBlobEntity {
  @PrimaryColumn({ name: 'blob_id', type: 'varchar', length: 64 })
  blobId!: string;

  @Column({ name: 'object_id', type: 'varchar', length: 36 })
  objectId!: string;
}

/** A multipart upload in progress. */
@Entity({ name: 'uploads' })
@Index('idx_uploads_bucket_key', ['bucketId', 'key'])
export class UploadEntity {
  @PrimaryColumn({ name: 'upload_id', type: 'varchar', length: 64 })
  uploadId!: string;

  @Column({ name: 'bucket_id', type: 'varchar', length: 36 })
  bucketId!: string;

  @Column({ type: 'varchar', length: 1024 })
  key!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 256 })
  contentType!: string;

  @Column({ type: 'text' })
  metadata!: string;

  @Column({ name: 'initiated_at', type: timestampType() })
  initiatedAt!: Date;
}

/** One uploaded part; uploading a part number again replaces it. */
@Entity({ name: 'upload_parts' })
@Index('idx_upload_parts_blob', ['blobId'])
export class UploadPartEntity {
  @PrimaryColumn({ name: 'upload_id', type: 'varchar', length: 64 })
  uploadId!: string;

  @PrimaryColumn({ name: 'part_number', type: 'integer' })
  partNumber!: number;

  @Column({ name: 'blob_id', type: 'varchar', length: 64 })
  blobId!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  @Column({ type: 'varchar', length: 64 })
  etag!: string;

  @Column({ name: 'last_modified', type: timestampType() })
  lastModified!: Date;
}

/**
 * Blobs no row refers to any more (a replaced or deleted object, an aborted upload), kept for a grace period so that
 * a GET already streaming them finishes; the sweep then deletes them from the backend.
 */
@Entity({ name: 'blob_garbage' })
@Index('idx_blob_garbage_dropped', ['droppedAt'])
export class BlobGarbageEntity {
  @PrimaryColumn({ name: 'blob_id', type: 'varchar', length: 64 })
  blobId!: string;

  @Column({ name: 'dropped_at', type: timestampType() })
  droppedAt!: Date;
}

export const storageEntities = [
  BucketEntity,
  ObjectEntity,
  ObjectBlobEntity,
  UploadEntity,
  UploadPartEntity,
  BlobGarbageEntity,
];
