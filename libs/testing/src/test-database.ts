import { startPostgres } from '@symbolon/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** True when the integration suites run on PostgreSQL (.ci/run sets SYMBOLON_TEST_DB=postgres), else SQLite. */
export const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';

export interface TestDatabase {
  label: 'PostgreSQL' | 'SQLite';
  /** Pass to startTestPlatform; undefined on SQLite (the platform's own files). */
  postgresUrl?: string;
  stop(): Promise<void>;
}

/**
 * The database a suite's platforms share, so a restarted platform finds its data: a private PostgreSQL with one
 * database `name` when onPostgres (its folder removed at stop), nothing to start on SQLite.
 */
export async function startTestDatabase(name: string): Promise<TestDatabase> {
  if (!onPostgres) return { label: 'SQLite', stop: async () => undefined };
  // Under /tmp, not os.tmpdir(): the postgres user must reach the folder and the socket path must stay short.
  const dir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
  const server = await startPostgres({ dir });
  const postgresUrl = await server.createDatabase(name);
  return {
    label: 'PostgreSQL',
    postgresUrl,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
