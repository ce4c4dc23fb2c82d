import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Scheduled deletion and rotation state on keys; how each key version was made. */
export class KeyLifecycle1795916000000 implements MigrationInterface {
  name = 'KeyLifecycle1795916000000';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.addColumns('keys', [
      new TableColumn({ name: 'deletion_date', type: ts, isNullable: true }),
      new TableColumn({ name: 'pending_window_days', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'rotation_enabled', type: 'boolean', default: false }),
      new TableColumn({ name: 'rotation_period_days', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'next_rotation_date', type: ts, isNullable: true }),
    ]);
    await q.createIndex(
      'keys',
      new TableIndex({ name: 'idx_keys_deletion_date', columnNames: ['deletion_date'] }),
    );
    await q.createIndex(
      'keys',
      new TableIndex({ name: 'idx_keys_next_rotation_date', columnNames: ['next_rotation_date'] }),
    );
    await q.addColumn(
      'key_versions',
      new TableColumn({ name: 'rotation_type', type: 'varchar', length: '16', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('key_versions', 'rotation_type');
    await q.dropIndex('keys', 'idx_keys_next_rotation_date');
    await q.dropIndex('keys', 'idx_keys_deletion_date');
    await q.dropColumns('keys', [
      'next_rotation_date',
      'rotation_period_days',
      'rotation_enabled',
      'pending_window_days',
      'deletion_date',
    ]);
  }
}
