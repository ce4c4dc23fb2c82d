import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/**
 * Users of accounts, with the platform-administrator flag. Every principal that already holds an access key becomes
 * a user; before this migration only the bootstrap admin could hold one, so those users are administrators.
 * Access-key secrets get room for a wrapped blob and a `secret_wrapped` mark: existing rows are marked plaintext, and
 * the gateway wraps them at its next start (the platform key lives in the coordinator, out of a migration's reach).
 */
export class TenancyUsers1764460800010 implements MigrationInterface {
  name = 'TenancyUsers1764460800010';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'account_id', type: 'varchar', length: '12', isPrimary: true },
          { name: 'user_name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'arn', type: 'varchar', length: '2048' },
          { name: 'is_admin', type: 'boolean' },
          { name: 'created_at', type: timestampType() },
        ],
      }),
    );
    await q.createIndex(
      'users',
      new TableIndex({ name: 'idx_users_arn', columnNames: ['arn'], isUnique: true }),
    );
    await q.createIndex(
      'access_keys',
      new TableIndex({ name: 'idx_access_keys_principal', columnNames: ['principal_arn'] }),
    );
    await q.changeColumn(
      'access_keys',
      'secret',
      new TableColumn({ name: 'secret', type: 'varchar', length: '2048' }),
    );
    await q.addColumn(
      'access_keys',
      new TableColumn({ name: 'secret_wrapped', type: 'boolean', isNullable: false, default: 'false' }),
    );
    const existing = (await q.manager
      .createQueryBuilder()
      .select('k.account_id', 'account_id')
      .addSelect('k.principal_arn', 'principal_arn')
      .addSelect('MIN(k.created_at)', 'created_at')
      .from('access_keys', 'k')
      .groupBy('k.account_id')
      .addGroupBy('k.principal_arn')
      .getRawMany()) as { account_id: string; principal_arn: string; created_at: string | Date }[];
    for (const row of existing) {
      const userName = /:user\/(.+)$/.exec(row.principal_arn)?.[1];
      if (!userName) continue;
      const postgres = q.connection.options.type === 'postgres';
      const params = postgres ? '$1, $2, $3, $4, $5' : '?, ?, ?, ?, ?';
      await q.query(
        `INSERT INTO ${postgres ? '"users"' : 'users'} (account_id, user_name, arn, is_admin, created_at) VALUES (${params})`,
        [row.account_id, userName, row.principal_arn, postgres ? true : 1, row.created_at],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('access_keys', 'secret_wrapped');
    await q.dropIndex('access_keys', 'idx_access_keys_principal');
    await q.dropTable('users');
  }
}
