import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';
import {
  findExecutable,
  lookupUser,
  processIsAlive,
  readFrom,
  runCommand,
  signalTrackedProcesses,
  tailFile,
  trackedPids,
  trackProcess,
  waitForPidExit,
  waitForTcpPort,
} from './process.js';

describe('trackProcess', () => {
  it('a tracked pid is a positive integer', () => {
    expect(() => trackProcess(0)).toThrow('a tracked pid is a positive integer');
    expect(() => trackProcess(1.5)).toThrow('a tracked pid is a positive integer');
  });

  it('should signal a still-running tracked child when signalTrackedProcesses runs', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.once('exit', (_code, signal) => r(signal)),
    );
    trackProcess(pid, 'SIGTERM');
    expect(trackedPids()).toContain(pid);
    expect(signalTrackedProcesses()).toBeGreaterThanOrEqual(1);
    expect(await exited).toBe('SIGTERM');
    expect(trackedPids()).not.toContain(pid);
  });

  it('should leave an untracked child running when signalTrackedProcesses runs', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const untrack = trackProcess(pid);
    untrack();
    signalTrackedProcesses();
    expect(processIsAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitForPidExit(pid, 5000)).toBe(true);
  });
});

describe('waitForTcpPort', () => {
  it('should resolve false when nothing listens on the port', async () => {
    const port = await freePort();
    expect(await waitForTcpPort('127.0.0.1', port, 200)).toBe(false);
  });

  it('should resolve true when a server listens on the port', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      expect(await waitForTcpPort('127.0.0.1', port, 2000)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('tailFile and readFrom', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-process-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should return the last lines when the file is longer', async () => {
    const file = join(dir, 'log');
    await writeFile(file, ['a', 'b', 'c', 'd'].join('\n') + '\n');
    expect(await tailFile(file, 2)).toBe('c\nd');
    expect(await readFrom(file, 4)).toBe('c\nd\n');
  });

  it('should return an empty string when the file does not exist', async () => {
    expect(await tailFile(join(dir, 'missing'))).toBe('');
    expect(await readFrom(join(dir, 'missing'), 0)).toBe('');
  });
});

describe('runCommand', () => {
  it('should reject with the command and its output when it exits non-zero', async () => {
    await expect(runCommand('sh', ['-c', 'echo boom >&2; exit 3'])).rejects.toThrow(/sh -c .*boom/s);
  });

  it('should resolve with stdout when it succeeds', async () => {
    await expect(runCommand('sh', ['-c', 'echo ok'])).resolves.toEqual({ stdout: 'ok\n', stderr: '' });
  });
});

describe('findExecutable and lookupUser', () => {
  it('should find sh on PATH and nothing for an unknown name', () => {
    expect(findExecutable('sh')).toMatch(/\/sh$/);
    expect(findExecutable('no-such-binary-symbolon')).toBeUndefined();
  });

  it('should read root from /etc/passwd and nothing for an unknown user', () => {
    expect(lookupUser('root')).toEqual(expect.objectContaining({ uid: 0, gid: 0 }));
    expect(lookupUser('no-such-user-symbolon')).toBeUndefined();
  });
});

describe('processIsAlive', () => {
  it('should report a process as gone when it has exited but is not reaped yet', async () => {
    // `sleep 0` exits at once; its parent execs `sleep 30`, which never reaps it: a zombie for 30 s.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const zombie = await new Promise<number>((r) => parent.stdout?.once('data', (d: Buffer) => r(Number(d))));
    try {
      expect(await waitForPidExit(zombie, 2000)).toBe(true);
      expect(processIsAlive(zombie)).toBe(false);
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(processIsAlive(parent.pid as number)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
