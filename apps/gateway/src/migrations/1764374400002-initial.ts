import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

export class Initial1764374400002 implements MigrationInterface {
  name = 'Initial1764374400002';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.createTable(
      new Table({
        name: 'accounts',
        columns: [
          { name: 'id', type: 'varchar', length: '12', isPrimary: true },
          { name: 'name', type: 'varchar', length: '256' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'access_keys',
        columns: [
          { name: 'access_key_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'account_id', type: 'varchar', length: '12' },
          { name: 'principal_arn', type: 'varchar', length: '2048' },
          { name: 'secret', type: 'varchar', length: '128' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await q.createIndex(
      'access_keys',
      new TableIndex({ name: 'idx_access_keys_account', columnNames: ['account_id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('access_keys');
    await q.dropTable('accounts');
  }
}
