import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

export class Initial1764374400001 implements MigrationInterface {
  name = 'Initial1764374400001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'audit_records',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '64' },
          { name: 'tenant_id', type: 'varchar', length: '12', isNullable: true },
          { name: 'time', type: timestampType() },
          { name: 'operation', type: 'varchar', length: '64' },
          { name: 'key_arn', type: 'varchar', length: '2048', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '128' },
          { name: 'record', type: 'text' },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await q.createIndex(
      'audit_records',
      new TableIndex({ name: 'idx_audit_records_tenant_seq', columnNames: ['tenant_id', 'sequence'] }),
    );
    await q.createIndex(
      'audit_records',
      new TableIndex({ name: 'idx_audit_records_request_id', columnNames: ['request_id'], isUnique: true }),
    );
    await q.createTable(
      new Table({
        name: 'usage_counters',
        columns: [
          { name: 'key_arn', type: 'varchar', length: '2048', isPrimary: true },
          { name: 'key_version', type: 'integer', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '12' },
          { name: 'encryptions', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('usage_counters');
    await q.dropTable('audit_records');
  }
}
