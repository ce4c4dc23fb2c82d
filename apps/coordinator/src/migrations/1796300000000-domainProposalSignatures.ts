import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * The signatures of an applied add-member (issue 5): a node that joins later (its join failed, or the coordinator
 * restarted before it) is sent the approval that made it a member, which it checks itself.
 */
export class DomainProposalSignatures1796300000000 implements MigrationInterface {
  name = 'DomainProposalSignatures1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'domain_proposals',
      new TableColumn({ name: 'signatures', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('domain_proposals', 'signatures');
  }
}
