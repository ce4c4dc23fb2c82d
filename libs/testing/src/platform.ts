import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort, startPostgres } from '@symbolon/platform';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  accountId: string;
}

export interface TestPlatform {
  endpoint: string;
  /** The S3 API of the storage service (path-style), same credentials. */
  s3Endpoint: string;
  port: number;
  dataDir: string;
  credentialsFile: string;
  credentials: Credentials;
  /** Everything the launcher printed so far. */
  output(): string;
  kms(credentials?: Credentials): KMSClient;
  s3(credentials?: Credentials): S3Client;
  /** Ctrl-C, as a user would; resolves when the launcher has stopped everything. A data folder this function made
   * is removed unless keepData (to start again on it). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestPlatformOptions {
  /** Reuse a data folder (restart tests); a new temp folder otherwise. */
  dataDir?: string;
  port?: number;
  /** 'postgres' starts a private PostgreSQL; default from SYMBOLON_TEST_DB, else sqlite. */
  db?: 'sqlite' | 'postgres';
  /** Use this PostgreSQL database (kept when the platform stops) instead of starting one. */
  postgresUrl?: string;
  /** Run `npm start` itself (install + build + launch) instead of the built launcher. */
  viaNpmStart?: boolean;
  /** Tokens in the domain (SYMBOLON_HSM_TOKENS): default 1 for speed, 2 (what `npm start` runs) with viaNpmStart. */
  hsmTokens?: number;
  env?: Record<string, string>;
}

/**
 * Starts the platform exactly as the README's start command does (the launcher prints `endpoint:` and
 * `credentials:`), with its own data folder and port. Needs `npm run build` first unless viaNpmStart.
 */
export async function startTestPlatform(opts: TestPlatformOptions = {}): Promise<TestPlatform> {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'symbolon-platform-'));
  const port = opts.port ?? (await freePort());
  const db = opts.db ?? (process.env['SYMBOLON_TEST_DB'] === 'postgres' ? 'postgres' : 'sqlite');
  const env: Record<string, string> = {
    SYMBOLON_DATA_DIR: dataDir,
    SYMBOLON_PORT: String(port),
    SYMBOLON_HSM_TOKENS: String(opts.hsmTokens ?? (opts.viaNpmStart ? 2 : 1)),
    ...opts.env,
  };
  let stopPostgres: (() => Promise<void>) | undefined;
  if (opts.postgresUrl) {
    env['SYMBOLON_DB_URL'] = opts.postgresUrl;
  } else if (db === 'postgres') {
    const pgDir = mkdtempSync(join('/tmp', 'symbolon-pg-'));
    const pg = await startPostgres({ dir: pgDir });
    env['SYMBOLON_DB_URL'] = await pg.createDatabase('symbolon');
    stopPostgres = () => pg.stop();
  }
  const launcher = join(REPO_ROOT, 'dist', 'deploy', 'local', 'launch.js');
  if (!opts.viaNpmStart && !existsSync(launcher))
    throw new Error('dist/ is missing: run `npm run build` first');
  const child: ChildProcess = opts.viaNpmStart
    ? spawn('npm', ['start', '--silent'], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
    : spawn(process.execPath, [launcher], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const stop = async (stopOpts: { keepData?: boolean } = {}): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (opts.viaNpmStart) process.kill(-child.pid!, 'SIGINT');
      else child.kill('SIGINT');
      await exited;
    }
    await stopPostgres?.();
    if (ownDataDir && !stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 180_000;
  while (!/^credentials: (.+)$/m.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`platform did not start:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const endpoint = /^endpoint: (.+)$/m.exec(out)![1]!.trim();
  const s3Endpoint = /^s3 endpoint: (.+)$/m.exec(out)![1]!.trim();
  const credentialsFile = /^credentials: (.+)$/m.exec(out)![1]!.trim();
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials;
  return {
    endpoint,
    s3Endpoint,
    port,
    dataDir,
    credentialsFile,
    credentials,
    output: () => out,
    kms: (c = credentials) =>
      new KMSClient({
        endpoint,
        region: c.region,
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
        maxAttempts: 1,
      }),
    s3: (c = credentials) =>
      new S3Client({
        endpoint: s3Endpoint,
        forcePathStyle: true,
        region: c.region,
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
        maxAttempts: 1,
      }),
    stop,
  };
}
