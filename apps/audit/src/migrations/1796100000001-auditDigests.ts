import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Signed digests of the audit chain head. */
export class AuditDigests1796100000001 implements MigrationInterface {
  name = 'AuditDigests1796100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'audit_digests',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'time', type: timestampType() },
          { name: 'signed', type: 'text' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_digests');
  }
}
