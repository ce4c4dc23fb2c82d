import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Users' tags (IAM TagUser), JSON; the policy condition key aws:PrincipalTag/<key> reads them. */
export class UserTags1796000000200 implements MigrationInterface {
  name = 'UserTags1796000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'tags', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('users', 'tags');
  }
}
