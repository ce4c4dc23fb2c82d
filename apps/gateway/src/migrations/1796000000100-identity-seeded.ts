import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Whether a user got its default identity policy (ADR 0009). Existing users start unseeded, so the gateway gives
 * them the default policy at its next start and nobody loses access when identity policies start to count.
 */
export class IdentitySeeded1796000000100 implements MigrationInterface {
  name = 'IdentitySeeded1796000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'users',
      new TableColumn({ name: 'identity_seeded', type: 'boolean', default: 'false' }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('users', 'identity_seeded');
  }
}
