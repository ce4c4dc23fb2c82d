import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Key policies, identity policies and grants. */
export class Policies1796000000000 implements MigrationInterface {
  name = 'Policies1796000000000';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.createTable(
      new Table({
        name: 'key_policies',
        columns: [
          { name: 'key_arn', type: 'varchar', length: '2048', isPrimary: true },
          { name: 'account_id', type: 'varchar', length: '12' },
          { name: 'document', type: 'text' },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_policies',
        columns: [
          { name: 'principal_arn', type: 'varchar', length: '2048', isPrimary: true },
          { name: 'policy_name', type: 'varchar', length: '128', isPrimary: true },
          { name: 'account_id', type: 'varchar', length: '12' },
          { name: 'document', type: 'text' },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'grants',
        columns: [
          { name: 'grant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'key_arn', type: 'varchar', length: '2048' },
          { name: 'key_account_id', type: 'varchar', length: '12' },
          { name: 'grantee_principal', type: 'varchar', length: '256' },
          { name: 'retiring_principal', type: 'varchar', length: '256', isNullable: true },
          { name: 'operations', type: 'text' },
          { name: 'constraints', type: 'text', isNullable: true },
          { name: 'name', type: 'varchar', length: '256', isNullable: true },
          { name: 'issuing_account', type: 'varchar', length: '12' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await q.createIndex(
      'grants',
      new TableIndex({ name: 'idx_grants_key_arn', columnNames: ['key_arn', 'grant_id'] }),
    );
    await q.createIndex(
      'grants',
      new TableIndex({ name: 'idx_grants_retiring', columnNames: ['retiring_principal', 'grant_id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('grants');
    await q.dropTable('identity_policies');
    await q.dropTable('key_policies');
  }
}
