import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** ShredKey's receipt on the key; SuspendKey's check value on each key version (whose EKT is then gone). */
export class Custody1796100000000 implements MigrationInterface {
  name = 'Custody1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('keys', new TableColumn({ name: 'shred_receipt', type: 'text', isNullable: true }));
    await q.addColumn(
      'key_versions',
      new TableColumn({ name: 'suspend_check', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('key_versions', 'suspend_check');
    await q.dropColumn('keys', 'shred_receipt');
  }
}
