import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

export class Initial1764374400000 implements MigrationInterface {
  name = 'Initial1764374400000';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.createTable(
      new Table({
        name: 'keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant_id', type: 'varchar', length: '12' },
          { name: 'arn', type: 'varchar', length: '2048' },
          { name: 'description', type: 'text' },
          { name: 'key_state', type: 'varchar', length: '32' },
          { name: 'key_usage', type: 'varchar', length: '32' },
          { name: 'key_spec', type: 'varchar', length: '32' },
          { name: 'origin', type: 'varchar', length: '32' },
          { name: 'current_version', type: 'integer' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await q.createIndex(
      'keys',
      new TableIndex({ name: 'idx_keys_tenant_id', columnNames: ['tenant_id', 'id'] }),
    );
    await q.createTable(
      new Table({
        name: 'key_versions',
        columns: [
          { name: 'key_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'ekt', type: 'text' },
          { name: 'domain_generation', type: 'integer' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'domain_states',
        columns: [
          { name: 'domain_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'epoch', type: 'integer', isPrimary: true },
          { name: 'state', type: 'text' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('domain_states');
    await q.dropTable('key_versions');
    await q.dropTable('keys');
  }
}
