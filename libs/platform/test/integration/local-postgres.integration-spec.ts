import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { jest } from '@jest/globals';
import pg from 'pg';

import { type LocalPostgres, startPostgres } from '../../src/local/postgres.js';
import { processIsAlive, trackedPids } from '../../src/local/process.js';

jest.setTimeout(120_000);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let dir: string;
  const started: LocalPostgres[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-pg-'));
  });

  afterAll(async () => {
    for (const server of started) await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<LocalPostgres> {
    const t0 = performance.now();
    const server = await startPostgres({ dir });
    console.info(`PostgreSQL ready in ${Math.round(performance.now() - t0)} ms`);
    started.push(server);
    return server;
  }

  it('should keep a database and its rows when the cluster is stopped and started again on the same dir', async () => {
    const first = await start();
    expect(first.url).toMatch(/^postgres:\/\/symbolon:[0-9a-f]{48}@127\.0\.0\.1:\d+\/symbolon$/);
    expect(trackedPids()).toContain(first.pid);
    await expect(query(first.url, 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);

    const url = await first.createDatabase('keys_test');
    expect(url).toMatch(/\/keys_test$/);
    await query(url, 'CREATE TABLE t (id int PRIMARY KEY, note text)');
    await query(url, "INSERT INTO t VALUES (1, 'kept')");
    const [role] = await query<{ rolsuper: boolean; rolcreatedb: boolean }>(
      url,
      'SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );
    expect(role).toEqual({ rolsuper: false, rolcreatedb: true });
    const [listen] = await query<{ listen_addresses: string }>(url, 'SHOW listen_addresses');
    expect(listen?.listen_addresses).toBe('127.0.0.1');

    await first.stop();
    expect(processIsAlive(first.pid)).toBe(false);
    expect(trackedPids()).not.toContain(first.pid);
    await expect(first.stop()).resolves.toBeUndefined();

    const second = await start();
    expect(await second.createDatabase('keys_test')).toBe(url.replace(`:${first.port}/`, `:${second.port}/`));
    const rows = await query<{ note: string }>(
      url.replace(`:${first.port}/`, `:${second.port}/`),
      'SELECT note FROM t WHERE id = 1',
    );
    expect(rows).toEqual([{ note: 'kept' }]);
    await second.stop();
  });

  it('should refuse a TCP login when the password is wrong', async () => {
    const server = await start();
    const wrong = server.url.replace(/:[0-9a-f]{48}@/, ':not-the-password@');
    await expect(query(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    await server.stop();
  });

  it('a database name is a lower-case SQL identifier of at most 63 bytes', async () => {
    const server = await start();
    await expect(server.createDatabase('Bad-Name; DROP')).rejects.toThrow(
      'a database name is a lower-case SQL identifier of at most 63 bytes',
    );
    await server.stop();
  });

  it('should keep the generated password out of the server log when started', async () => {
    const { password } = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as {
      password: string;
    };
    const log = await readFile(join(dir, 'postgres.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(password);
    expect((await stat(join(dir, 'credentials.json'))).mode & 0o077).toBe(0);
  });
});
