import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Aliases (unique per account by their primary key) and key tags. */
export class AliasesAndTags1795915463217 implements MigrationInterface {
  name = 'AliasesAndTags1795915463217';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.createTable(
      new Table({
        name: 'aliases',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '12', isPrimary: true },
          { name: 'alias_name', type: 'varchar', length: '256', isPrimary: true },
          { name: 'target_key_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await q.createIndex(
      'aliases',
      new TableIndex({ name: 'idx_aliases_target_key_id', columnNames: ['target_key_id'] }),
    );
    await q.createTable(
      new Table({
        name: 'key_tags',
        columns: [
          { name: 'key_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tag_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'tag_value', type: 'varchar', length: '256' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('key_tags');
    await q.dropIndex('aliases', 'idx_aliases_target_key_id');
    await q.dropTable('aliases');
  }
}
