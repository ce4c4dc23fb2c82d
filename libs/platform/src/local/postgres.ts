/**
 * A private PostgreSQL cluster under a folder, for the local start command and integration tests.
 *
 * Layout of `dir`: `data/` (PGDATA, made once with initdb and reused), `socket/` (the unix socket, the
 * only way in for the `postgres` superuser, which has no password), `postgres.log`, and
 * `credentials.json` (mode 0600: the generated password of the `symbolon` role). TCP listens on
 * 127.0.0.1 only and requires scram-sha-256: the `symbolon` role (LOGIN CREATEDB, not a superuser)
 * is what the returned URLs use.
 *
 * Running as root: PostgreSQL refuses to run as root. When this process is root, initdb and pg_ctl are
 * spawned with the uid/gid of the `postgres` OS user (Node's spawn `uid`/`gid` options: no su, no
 * shell), and `dir` with everything in it is chowned to that user. Every folder above `dir` must be
 * searchable by that user (checked, with a clear error).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import pg from 'pg';

import { freePort } from './free-port.js';
import {
  lookupUser,
  needs,
  processIsAlive,
  runCommand,
  sleep,
  tailFile,
  trackProcess,
  waitForPidExit,
} from './process.js';

export interface PostgresOptions {
  /** Folder of the cluster; created if missing, reused if it already holds one. */
  dir: string;
  /** TCP port on 127.0.0.1; a free one if omitted. */
  port?: number;
  /** How long to wait for the server to be ready (default 30 s). */
  startTimeoutMs?: number;
}

export interface LocalPostgres {
  /** `postgres://symbolon:<password>@127.0.0.1:<port>/symbolon` */
  url: string;
  port: number;
  /** Postmaster pid. */
  pid: number;
  /** Folder of the unix socket (superuser access without a password). */
  socketDir: string;
  /** `pg_ctl stop -m fast`. Safe to call twice. */
  stop(): Promise<void>;
  /** Creates the database (owned by the `symbolon` role) unless it exists; returns its URL. */
  createDatabase(name: string): Promise<string>;
}

export const POSTGRES_ROLE = 'symbolon';
const ADMIN_USER = 'postgres';
const DEFAULT_START_TIMEOUT_MS = 30_000;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The folder holding initdb, pg_ctl and postgres: the highest version under /usr/lib/postgresql/<v>/bin
 * (Debian), else the folder of an `initdb` on PATH.
 */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const best = versions[0];
  if (best !== undefined) return join(root, best, 'bin');
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH: ' +
      'install them with `apt-get install postgresql`',
  );
}

interface Owner {
  uid: number;
  gid: number;
}

/** The OS user to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupUser('postgres');
  if (user === undefined) {
    throw new Error(
      'running as root, but there is no `postgres` OS user to run PostgreSQL as (PostgreSQL refuses root); ' +
        'install the postgresql package or run as an ordinary user',
    );
  }
  return { uid: user.uid, gid: user.gid };
}

/** Throws unless `owner` can search every folder above `dir`. */
async function checkAncestorsSearchable(dir: string, owner: Owner): Promise<void> {
  let current = dirname(dir);
  for (;;) {
    const s = await stat(current);
    const bit = s.uid === owner.uid ? 0o100 : s.gid === owner.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) {
      throw new Error(
        `the postgres OS user (uid ${owner.uid}) cannot enter ${current}, a folder above ${dir}: ` +
          `allow it (chmod o+x ${current}) or use a folder whose parents it can enter (mkdtemp folders are 0700)`,
      );
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** A quoted postgresql.conf string value. */
function confString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface Credentials {
  role: string;
  password: string;
}

async function loadOrCreateCredentials(file: string): Promise<Credentials> {
  if (existsSync(file)) {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Credentials>;
    if (typeof parsed.role === 'string' && typeof parsed.password === 'string') {
      return { role: parsed.role, password: parsed.password };
    }
    throw new Error(`${file} is not a valid credentials file (expected {"role","password"})`);
  }
  const created = { role: POSTGRES_ROLE, password: randomBytes(24).toString('hex') };
  await writeFile(file, `${JSON.stringify(created)}\n`, { mode: 0o600 });
  return created;
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const first = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function withClient<T>(config: pg.ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function startPostgres(opts: PostgresOptions): Promise<LocalPostgres> {
  const dir = resolve(opts.dir);
  /* Precondition: the postgres dir has no quote or newline (pg_ctl passes paths through a shell). */
  needs(!/["'`$\\\n\r]/.test(dir), 'the postgres dir has no quote or newline');
  /* Precondition: the postgres port is an integer from 1 to 65535. */
  needs(
    opts.port === undefined || (Number.isInteger(opts.port) && opts.port >= 1 && opts.port <= 65535),
    'the postgres port is an integer from 1 to 65535',
  );
  const port = opts.port ?? (await freePort());
  const socketDir = join(dir, 'socket');
  /* Precondition: the unix socket path fits in sun_path. */
  needs(
    join(socketDir, `.s.PGSQL.${port}`).length <= MAX_SOCKET_PATH,
    'the unix socket path fits in sun_path (107 bytes): choose a shorter dir',
  );
  const bin = postgresBinDir();
  const owner = serverOwner();
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const run = (tool: string, args: string[], timeout = 60_000): Promise<{ stdout: string; stderr: string }> =>
    runCommand(join(bin, tool), args, {
      uid: owner?.uid,
      gid: owner?.gid,
      cwd: dir,
      env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', PGTZ: 'UTC' },
      timeoutMs: timeout,
    });

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  const credentials = await loadOrCreateCredentials(join(dir, 'credentials.json'));
  if (owner !== undefined) {
    await checkAncestorsSearchable(dir, owner);
    await chown(dir, owner.uid, owner.gid);
    await chown(socketDir, owner.uid, owner.gid);
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (owner !== undefined) await chown(dataDir, owner.uid, owner.gid);
    await chmod(dataDir, 0o700);
    await run('initdb', [
      '-D',
      dataDir,
      '-U',
      ADMIN_USER,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-instructions',
    ]);
    // Settings that do not change between starts; the port goes on the command line.
    await writeFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# Added by @symbolon/platform startPostgres: loopback TCP and a private unix socket only.',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = ${confString(socketDir)}`,
        'unix_socket_permissions = 0700',
        "password_encryption = 'scram-sha-256'",
        'fsync = on',
        '',
      ].join('\n'),
      { flag: 'a' },
    );
  }
  if (!existsSync(logFile)) {
    await writeFile(logFile, '', { mode: 0o600 });
  }
  if (owner !== undefined) await chown(logFile, owner.uid, owner.gid);

  const startedAt = Date.now();
  try {
    await run(
      'pg_ctl',
      [
        'start',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-w',
        '-t',
        String(Math.ceil(timeoutMs / 1000)),
        '-o',
        `-p ${port}`,
      ],
      timeoutMs + 5_000,
    );
  } catch (err) {
    const tail = await tailFile(logFile, 20);
    throw new Error(
      `PostgreSQL in ${dataDir} did not start on 127.0.0.1:${port}: ${(err as Error).message}\n` +
        `last lines of ${logFile}:\n${tail}`,
    );
  }
  const pid = postmasterPid(dataDir);
  if (pid === undefined)
    throw new Error(`pg_ctl started PostgreSQL but ${dataDir}/postmaster.pid has no pid`);
  // SIGINT = fast shutdown: the postmaster finishes it on its own after we have gone.
  const untrack = trackProcess(pid, 'SIGINT');

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    if (processIsAlive(pid)) {
      await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], 40_000);
      await waitForPidExit(pid, 5_000);
    }
    stopped = true;
    untrack();
  };

  const admin: pg.ClientConfig = { host: socketDir, port, user: ADMIN_USER, database: 'postgres' };
  const tcp = (database: string): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user: credentials.role,
    password: credentials.password,
    database,
  });
  const urlOf = (database: string): string =>
    `postgres://${encodeURIComponent(credentials.role)}:${encodeURIComponent(credentials.password)}` +
    `@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  const createDatabase = async (name: string): Promise<string> => {
    /* Precondition: a database name is a lower-case SQL identifier of at most 63 bytes. */
    needs(DATABASE_NAME.test(name), 'a database name is a lower-case SQL identifier of at most 63 bytes');
    await withClient(admin, async (client) => {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) {
        await client.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(credentials.role)}`);
      }
    });
    return urlOf(name);
  };

  try {
    // The role and its database, made once; the password is set on every start so a credentials file
    // and a reused cluster cannot drift apart.
    await withClient(admin, async (client) => {
      // Keep the statement (which holds the password) out of the server log even if it fails.
      await client.query('SET log_min_error_statement = panic');
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [credentials.role]);
      const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
      const escaped = credentials.password.replace(/'/g, "''");
      await client.query(`${verb} ROLE ${quoteIdent(credentials.role)} LOGIN CREATEDB PASSWORD '${escaped}'`);
    });
    await createDatabase(credentials.role);
    // A real TCP login with the role: the server is ready for the callers.
    let lastError: unknown;
    for (;;) {
      try {
        await withClient(tcp(credentials.role), (client) => client.query('SELECT 1'));
        break;
      } catch (err) {
        lastError = err;
        if (Date.now() - startedAt > timeoutMs) {
          throw new Error(
            `PostgreSQL on 127.0.0.1:${port} refused TCP logins: ${(lastError as Error).message}`,
          );
        }
        await sleep(100);
      }
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  return { url: urlOf(credentials.role), port, pid, socketDir, stop, createDatabase };
}
