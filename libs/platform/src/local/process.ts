/**
 * Shared child-process helpers for the local servers (nats-server, PostgreSQL).
 *
 * Every server started here is registered in one table; a single `process.on('exit')` handler signals
 * whatever is still running when the parent exits, so neither the local start command nor a test run
 * leaves servers behind. The handler is synchronous (Node runs no I/O after 'exit'): it can only send
 * signals, not wait. It cannot run if the parent is killed with SIGKILL.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

export function needs(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** A process the exit handler signals if it is still tracked when the parent exits. */
interface Tracked {
  pid: number;
  signal: NodeJS.Signals;
}

const tracked = new Map<number, Tracked>();
let exitHandlerInstalled = false;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * A process that has exited but not been reaped yet. A daemon such as the postmaster is reparented to
 * pid 1, which may reap it only after a while (seconds on some VM inits): it has stopped all the same.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Signals every tracked process. Synchronous; used by the exit handler and exported for tests. */
export function signalTrackedProcesses(): number {
  let signalled = 0;
  for (const { pid, signal } of tracked.values()) {
    try {
      process.kill(pid, signal);
      signalled++;
    } catch {
      // Already gone.
    }
  }
  tracked.clear();
  return signalled;
}

/**
 * Registers `pid` to receive `signal` when the parent exits. Returns a function that unregisters it
 * (call it once the process has been stopped normally).
 */
export function trackProcess(pid: number, signal: NodeJS.Signals = 'SIGTERM'): () => void {
  /* Precondition: a tracked pid is a positive integer. */
  needs(Number.isInteger(pid) && pid > 0, 'a tracked pid is a positive integer');
  if (!exitHandlerInstalled) {
    process.on('exit', signalTrackedProcesses);
    exitHandlerInstalled = true;
  }
  tracked.set(pid, { pid, signal });
  return () => {
    tracked.delete(pid);
  };
}

/** Pids currently tracked (for tests and diagnostics). */
export function trackedPids(): number[] {
  return [...tracked.keys()];
}

export function processIsAlive(pid: number): boolean {
  return isAlive(pid);
}

/** Waits until `pid` no longer exists; false on timeout. Works for processes that are not our children. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true once a TCP connection to host:port succeeds, false if `timeoutMs` passes first. */
export async function waitForTcpPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await tryConnect(host, port)) return true;
    await sleep(50);
  }
  return false;
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last `lines` lines of a text file ('' if it does not exist). */
export async function tailFile(path: string, lines = 20): Promise<string> {
  if (!existsSync(path)) return '';
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

/** Contents of a file from byte `offset` on ('' if missing). */
export async function readFrom(path: string, offset: number): Promise<string> {
  if (!existsSync(path)) return '';
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** First executable named `name` on PATH, then in `extraDirs`; undefined if none. */
export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface RunOptions {
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Runs a command to completion. On failure the error names the command and carries the tail of its
 * output (these tools print no secrets: passwords are never passed on command lines here).
 */
export function runCommand(
  file: string,
  args: string[],
  opts: RunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        uid: opts.uid,
        gid: opts.gid,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
          reject(new Error(`${file} ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${output}`));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** uid and gid of an OS user from /etc/passwd; undefined if there is no such user. */
export function lookupUser(name: string): { uid: number; gid: number; home: string } | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 6) {
      return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '/' };
    }
  }
  return undefined;
}
