import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Buckets, objects, multipart uploads and their parts, and blobs awaiting deletion. */
export class Initial1796600000000 implements MigrationInterface {
  name = 'Initial1796600000000';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    // Keys and bucket names sort byte-wise in UTF-8, as S3 lists them: SQLite's default collation does; PostgreSQL
    // needs "C".
    const keyCollation = q.connection.options.type === 'postgres' ? { collation: 'C' } : {};
    await q.createTable(
      new Table({
        name: 'buckets',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '12' },
          { name: 'name', type: 'varchar', length: '63', ...keyCollation },
          { name: 'created_at', type: ts },
        ],
        indices: [
          new TableIndex({
            name: 'idx_buckets_tenant_name',
            columnNames: ['tenant_id', 'name'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'objects',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'bucket_id', type: 'varchar', length: '36' },
          { name: 'key', type: 'varchar', length: '1024', ...keyCollation },
          { name: 'size', type: 'bigint' },
          { name: 'etag', type: 'varchar', length: '64' },
          { name: 'content_type', type: 'varchar', length: '256' },
          { name: 'metadata', type: 'text' },
          { name: 'blobs', type: 'text' },
          { name: 'last_modified', type: ts },
        ],
        indices: [
          new TableIndex({
            name: 'idx_objects_bucket_key',
            columnNames: ['bucket_id', 'key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'object_blobs',
        columns: [
          { name: 'blob_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'object_id', type: 'varchar', length: '36' },
        ],
        indices: [new TableIndex({ name: 'idx_object_blobs_object', columnNames: ['object_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'uploads',
        columns: [
          { name: 'upload_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'bucket_id', type: 'varchar', length: '36' },
          { name: 'key', type: 'varchar', length: '1024', ...keyCollation },
          { name: 'content_type', type: 'varchar', length: '256' },
          { name: 'metadata', type: 'text' },
          { name: 'initiated_at', type: ts },
        ],
        indices: [new TableIndex({ name: 'idx_uploads_bucket_key', columnNames: ['bucket_id', 'key'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'upload_parts',
        columns: [
          { name: 'upload_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'part_number', type: 'integer', isPrimary: true },
          { name: 'blob_id', type: 'varchar', length: '64' },
          { name: 'size', type: 'bigint' },
          { name: 'etag', type: 'varchar', length: '64' },
          { name: 'last_modified', type: ts },
        ],
        indices: [new TableIndex({ name: 'idx_upload_parts_blob', columnNames: ['blob_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'blob_garbage',
        columns: [
          { name: 'blob_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'dropped_at', type: ts },
        ],
        indices: [new TableIndex({ name: 'idx_blob_garbage_dropped', columnNames: ['dropped_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['blob_garbage', 'upload_parts', 'uploads', 'object_blobs', 'objects', 'buckets'])
      await q.dropTable(table);
  }
}
