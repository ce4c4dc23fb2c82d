import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

import { timestampType } from '@symbolon/platform';

/** Domain-change proposals relayed by the coordinator (issue 5). */
export class DomainProposals1796200000000 implements MigrationInterface {
  name = 'DomainProposals1796200000000';

  async up(q: QueryRunner): Promise<void> {
    const ts = timestampType();
    await q.createTable(
      new Table({
        name: 'domain_proposals',
        columns: [
          { name: 'nonce', type: 'varchar', length: '32', isPrimary: true },
          { name: 'domain_id', type: 'varchar', length: '64' },
          { name: 'proposal', type: 'text' },
          { name: 'opened_at', type: ts },
          { name: 'expires_at', type: ts },
          { name: 'outcome', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('domain_proposals');
  }
}
