import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/**
 * Placement (issue 5): the domains keys are placed in, with their names and region / jurisdiction labels, and each
 * key's domain. An installation from before has one domain: it becomes the default, and every key is placed in it.
 */
export class DomainPlacement1796400000000 implements MigrationInterface {
  name = 'DomainPlacement1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'domains',
        columns: [
          { name: 'domain_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '256', isUnique: true },
          { name: 'labels', type: 'text' },
          { name: 'is_default', type: 'boolean', default: false },
          { name: 'created_at', type: timestampType() },
        ],
      }),
    );
    await q.addColumn(
      'keys',
      new TableColumn({ name: 'domain_id', type: 'varchar', length: '64', isNullable: true }),
    );
    // One domain existed before placement (the development or installed one): the default, holding every key.
    const { driver } = q.connection;
    const table = (name: string) =>
      driver.buildTableName(name, (driver.options as { schema?: string }).schema);
    await q.query(
      `INSERT INTO ${table('domains')} (domain_id, name, labels, is_default, created_at)
       SELECT domain_id, 'default', '{}', TRUE, MIN(created_at) FROM ${table('domain_states')} GROUP BY domain_id`,
    );
    await q.query(`UPDATE ${table('keys')} SET domain_id = (SELECT MIN(domain_id) FROM ${table('domains')})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('keys', 'domain_id');
    await q.dropTable('domains');
  }
}
