import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { jest } from '@jest/globals';
import { transformFile } from '@swc/core';

import { processIsAlive, waitForPidExit } from '../../src/local/process.js';

jest.setTimeout(120_000);

const repoRoot = resolve(import.meta.dirname, '../../../..');
const localSrc = join(repoRoot, 'libs/platform/src/local');
const modules = ['free-port', 'process', 'nats-server', 'postgres'];

/** A plain Node script that starts both servers, prints their pids and exits without stopping them. */
const childScript = `
import { startNatsServer } from './nats-server.js';
import { startPostgres } from './postgres.js';
const [, , natsDir, pgDir] = process.argv;
const nats = await startNatsServer({ dir: natsDir });
const pg = await startPostgres({ dir: pgDir });
process.stdout.write(JSON.stringify({ nats: nats.pid, postgres: pg.pid }) + '\\n');
process.exit(0);
`;

function runNode(script: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [script, ...args], { timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolvePromise(stdout),
    );
  });
}

describe('the exit handler of the local servers', () => {
  let dir: string;
  let pgDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-exit-'));
    // Its own folder under /tmp: as root, the postgres OS user must be able to enter every parent.
    pgDir = await mkdtemp(join(tmpdir(), 'symbolon-exit-pg-'));
    const out = join(dir, 'js');
    await mkdir(out);
    // The compiled modules resolve `pg` through this link to the workspace's node_modules.
    await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    for (const name of modules) {
      const { code } = await transformFile(join(localSrc, `${name}.ts`), {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'es6' },
      });
      await writeFile(join(out, `${name}.js`), code);
    }
    await writeFile(join(out, 'child.js'), childScript);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(pgDir, { recursive: true, force: true });
  });

  it('should stop nats-server and PostgreSQL when the parent exits without stopping them', async () => {
    const stdout = await runNode(join(dir, 'js', 'child.js'), [join(dir, 'nats'), pgDir]);
    const pids = JSON.parse(stdout.trim()) as { nats: number; postgres: number };
    expect(pids.nats).toBeGreaterThan(0);
    expect(pids.postgres).toBeGreaterThan(0);
    expect(await waitForPidExit(pids.nats, 10_000)).toBe(true);
    expect(await waitForPidExit(pids.postgres, 10_000)).toBe(true);
    expect(processIsAlive(pids.nats) || processIsAlive(pids.postgres)).toBe(false);
  });
});
