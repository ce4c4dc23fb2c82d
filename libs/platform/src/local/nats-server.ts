/**
 * A real local nats-server with JetStream, for the local start command and integration tests.
 *
 * Listens on 127.0.0.1 only, HTTP monitoring off. The JetStream store lives in `<dir>/jetstream`, so
 * streams and messages survive a stop and a new start on the same dir. The server writes straight to
 * its log file (no pipe through this process), so it can finish a graceful shutdown even after the
 * parent has gone.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { freePort } from './free-port.js';
import {
  findExecutable,
  needs,
  readFrom,
  runCommand,
  sleep,
  tailFile,
  trackProcess,
  waitForTcpPort,
} from './process.js';

/** A user and password every client must present (the launcher makes one per data folder). */
export interface NatsAuth {
  user: string;
  password: string;
}

const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export interface NatsTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Require client certificates (mutual TLS). */
  verify: boolean;
}

export interface NatsServerOptions {
  /** Require this user and password from every client; the returned url then carries them. */
  auth?: NatsAuth;
  /** More users: `authorization.users` entries (natsUserConfig), e.g. one nkey per service with its permissions. */
  users?: string[];
  /** TLS for clients; with `verify`, every client must present a certificate signed by `caFile`. */
  tls?: NatsTls;
  /** Folder for the config file, the JetStream store and (by default) the log. Created if missing. */
  dir: string;
  /** TCP port on 127.0.0.1; a free one if omitted. */
  port?: number;
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** Log file (appended to); default `<dir>/nats-server.log`. */
  logFile?: string;
  /** How long to wait for the server to be ready (default 15 s). */
  startTimeoutMs?: number;
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`, with `user:password@` when the server requires them (a secret then). */
  url: string;
  port: number;
  pid: number;
  /** Path of the config file written in dir. */
  configFile: string;
  logFile: string;
  /** SIGTERM, then SIGKILL if the server has not exited after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_LINE = 'Server is ready';
const STOP_GRACE_MS = 5_000;
const DEFAULT_START_TIMEOUT_MS = 15_000;

/** The nats-server binary: first on PATH, then /usr/sbin and /usr/local/bin. */
export function natsServerPath(): string {
  const found = findExecutable('nats-server', ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin']);
  if (found === undefined) {
    throw new Error(
      'nats-server not found on PATH or in /usr/sbin: install it with `apt-get install nats-server`',
    );
  }
  return found;
}

/** The config file text for a loopback-only server. Exported for tests. */
export function natsServerConfig(opts: {
  dir: string;
  port: number;
  jetstream: boolean;
  auth?: NatsAuth;
  users?: string[];
  tls?: NatsTls;
}): string {
  const lines = [
    '# Written by @symbolon/platform startNatsServer: local development and tests only.',
    `listen: "127.0.0.1:${opts.port}"`,
    'server_name: "symbolon-local"',
    // No http / http_port / https: monitoring stays off.
  ];
  const users = [
    ...(opts.auth ? [`{ user: "${opts.auth.user}", password: "${opts.auth.password}" }`] : []),
    ...(opts.users ?? []),
  ];
  if (users.length > 0) lines.push('authorization {', '  users = [', ...users, '  ]', '}');
  if (opts.tls) {
    lines.push(
      'tls {',
      `  cert_file: "${opts.tls.certFile}"`,
      `  key_file: "${opts.tls.keyFile}"`,
      `  ca_file: "${opts.tls.caFile}"`,
      `  verify: ${opts.tls.verify}`,
      '}',
    );
  }
  if (opts.jetstream) {
    lines.push(
      'jetstream {',
      `  store_dir: "${join(opts.dir, 'jetstream')}"`,
      '  max_memory_store: 256MB',
      '  max_file_store: 2GB',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startNatsServer(opts: NatsServerOptions): Promise<NatsServer> {
  const dir = resolve(opts.dir);
  /* Precondition: the nats dir has no quote, backslash or newline (it is written into a config string). */
  needs(!/["\\\n\r]/.test(dir), 'the nats dir has no quote, backslash or newline');
  /* Precondition: the nats port is an integer from 1 to 65535. */
  needs(
    opts.port === undefined || (Number.isInteger(opts.port) && opts.port >= 1 && opts.port <= 65535),
    'the nats port is an integer from 1 to 65535',
  );
  /* Precondition: NATS credentials are plain tokens of letters, digits, - and _. */
  needs(
    opts.auth === undefined || (TOKEN.test(opts.auth.user) && TOKEN.test(opts.auth.password)),
    'NATS credentials are plain tokens of letters, digits, - and _',
  );
  const binary = natsServerPath();
  const jetstream = opts.jetstream ?? true;
  const port = opts.port ?? (await freePort());
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const logFile = resolve(opts.logFile ?? join(dir, 'nats-server.log'));

  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (jetstream) await mkdir(join(dir, 'jetstream'), { recursive: true, mode: 0o700 });
  const configFile = join(dir, 'nats-server.conf');
  /* Precondition: TLS file paths have no quote, backslash or newline (they are written into config strings). */
  needs(
    !opts.tls || [opts.tls.certFile, opts.tls.keyFile, opts.tls.caFile].every((f) => !/["\\\n\r]/.test(f)),
    'TLS file paths have no quote, backslash or newline',
  );
  const tls = opts.tls && {
    ...opts.tls,
    certFile: resolve(opts.tls.certFile),
    keyFile: resolve(opts.tls.keyFile),
    caFile: resolve(opts.tls.caFile),
  };
  await writeFile(
    configFile,
    natsServerConfig({ dir, port, jetstream, auth: opts.auth, users: opts.users, tls }),
    {
      mode: 0o600,
    },
  );
  await runCommand(binary, ['-t', '-c', configFile], { timeoutMs: 10_000 });

  const logOffset = await stat(logFile).then(
    (s) => s.size,
    () => 0,
  );
  const log = await open(logFile, 'a', 0o600);
  // Its own process group: a Ctrl-C at the terminal reaches the launcher, which stops NATS last.
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', log.fd, log.fd], detached: true });
  await log.close();
  const pid = child.pid;
  if (pid === undefined) {
    const reason = await new Promise<string>((r) => child.once('error', (e) => r(e.message)));
    throw new Error(`nats-server could not be spawned: ${reason}`);
  }
  const untrack = trackProcess(pid, 'SIGTERM');

  let exited = false;
  const exitPromise = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      untrack();
      r();
    }),
  );

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      exitPromise.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      child.kill('SIGKILL');
      await exitPromise;
    }
  };

  const failure = async (why: string): Promise<Error> => {
    await stop();
    const tail = await tailFile(logFile, 20);
    return new Error(`nats-server on 127.0.0.1:${port} ${why}; last lines of ${logFile}:\n${tail}`);
  };

  const deadline = Date.now() + timeoutMs;
  let ready = false;
  while (!ready) {
    if (exited) throw await failure(`exited before it was ready (exit code ${String(child.exitCode)})`);
    if (Date.now() >= deadline) throw await failure(`was not ready within ${timeoutMs} ms`);
    const logged = (await readFrom(logFile, logOffset)).includes(READY_LINE);
    ready =
      logged && (await waitForTcpPort('127.0.0.1', port, Math.min(1000, Math.max(1, deadline - Date.now()))));
    if (!ready) await sleep(25);
  }

  const credentials = opts.auth ? `${opts.auth.user}:${opts.auth.password}@` : '';
  const scheme = opts.tls ? 'tls' : 'nats';
  return { url: `${scheme}://${credentials}127.0.0.1:${port}`, port, pid, configFile, logFile, stop };
}
