/**
 * Object storage (issue 8): PutObject and GetObject of 1 MiB and BENCH_STORAGE_MIB (default 1024) MiB objects against
 * the storage service of a platform started as `npm start` does (folder backend on the disk), next to writing the same
 * bytes to a file on the same file system and fsyncing it, and reading them back, in the same run; and the storage
 * service's peak RSS. Also alone: `node dist/bench/storage.js`.
 *
 * The client is curl (`--aws-sigv4`, UNSIGNED-PAYLOAD, the body streamed from the file, one process and one
 * connection for the 1 MiB objects): what is measured is the service, not a client's hashing of the body, or a Node
 * HTTP client that reads at a third of the speed the service sends at, on the same two cores.
 */
import { freePort } from '@symbolon/platform';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startPlatform } from '../deploy/local/platform.js';

const MIB = 1024 * 1024;
const LARGE_MIB = Number(process.env['BENCH_STORAGE_MIB'] ?? 1024);
/** 1 MiB objects per round (sequential: one client, as a backup tool writes files one by one). */
const SMALL_COUNT = Number(process.env['BENCH_STORAGE_SMALL'] ?? 200);
/** Rounds of each case; the median is reported. */
const ROUNDS = 3;
const DISK_TARGET = 0.5;
const RSS_TARGET_MIB = 100;

export interface StorageCase {
  name: string;
  /** Median over the rounds. */
  mibPerSec: number;
  rounds: number[];
}

export interface StorageResult {
  largeMib: number;
  smallCount: number;
  cases: StorageCase[];
  /** The storage service's resident memory just before the large transfers, and its highest during them. */
  storageRssBeforeMib: number;
  storageRssPeakMib: number;
}

interface Target {
  endpoint: string;
  user: string;
}

/**
 * Runs one curl over `transfers` (PUT of a file, or GET to nowhere), in order on one connection; fails unless each
 * answers 200.
 */
async function curl(t: Target, transfers: { path: string; upload?: string }[]): Promise<void> {
  const args = [
    '--silent',
    '--show-error',
    '--fail',
    '--aws-sigv4',
    'aws:amz:us-east-1:s3',
    '--user',
    t.user,
  ];
  args.push('--header', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '--write-out', '%{http_code}\n');
  for (const x of transfers) {
    args.push(
      ...(x.upload ? ['--upload-file', x.upload] : ['--output', '/dev/null']),
      `${t.endpoint}${x.path}`,
    );
  }
  // Asynchronous: the memory sampler of this process runs meanwhile.
  const { stdout } = await promisify(execFile)('curl', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const codes = stdout.trim().split('\n');
  if (codes.length !== transfers.length || codes.some((c) => c !== '200')) {
    throw new Error(`curl answered ${codes.join(',')}`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Seconds `run` takes. */
async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Writes `source` to `path` and fsyncs it: what a PUT must do at least. */
async function diskWrite(source: string, path: string): Promise<void> {
  await pipeline(createReadStream(source, { highWaterMark: MIB }), createWriteStream(path, { flush: true }));
}

async function diskRead(path: string): Promise<void> {
  await pipeline(
    createReadStream(path, { highWaterMark: MIB }),
    new Writable({ write: (_c, _e, done) => done() }),
  );
}

/** Resident memory of a process now (VmRSS), in MiB. */
function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/**
 * Samples a process's resident memory every 10 ms while `run` runs; the highest sample. (VmHWM would include the
 * service's start, when Nest, TypeORM and the migrations load: every service here peaks near 155 MiB then.)
 */
async function peakWhile(pid: number, run: () => Promise<void>): Promise<number> {
  let peak = rssMib(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMib(pid))), 10);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMib(pid));
}

export async function benchStorage(): Promise<StorageResult> {
  // On the disk (not /dev/shm): the service's folder backend and the baseline file share one file system.
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-bench-storage-'));
  const work = join(dataDir, 'bench');
  const running = await startPlatform({ dataDir, port: await freePort(), hsmTokens: 1 });
  try {
    const creds = JSON.parse(readFileSync(running.credentialsFile, 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      region: string;
    };
    if (creds.region !== 'us-east-1') throw new Error('the bench signs for us-east-1');
    const t: Target = { endpoint: running.s3Endpoint, user: `${creds.accessKeyId}:${creds.secretAccessKey}` };
    mkdirSync(work);
    const large = join(work, 'large');
    const small = join(work, 'small');
    const block = randomBytes(64 * MIB);
    const fd = openSync(large, 'w');
    for (let i = 0; i < LARGE_MIB; i += 64) writeSync(fd, block, 0, Math.min(64, LARGE_MIB - i) * MIB);
    fsyncSync(fd);
    closeSync(fd);
    const sfd = openSync(small, 'w');
    writeSync(sfd, block, 0, MIB);
    closeSync(sfd);
    await curl(t, [{ path: '/bench', upload: '/dev/null' }]);

    const cases: StorageCase[] = [];
    const record = (name: string, mib: number, seconds: number[]) =>
      cases.push({ name, rounds: seconds.map((s) => mib / s), mibPerSec: mib / median(seconds) });
    const rounds = async (run: (round: number) => Promise<void>) => {
      const seconds: number[] = [];
      for (let round = 0; round < ROUNDS; round++) seconds.push(await timed(() => run(round)));
      return seconds;
    };

    // 1 GiB: the service against the disk, each after the other so that both see the same machine.
    const pid = storagePid(dataDir);
    const storageRssBeforeMib = rssMib(pid);
    let storageRssPeakMib = storageRssBeforeMib;
    const watched = async (run: () => Promise<void>) => {
      storageRssPeakMib = Math.max(storageRssPeakMib, await peakWhile(pid, run));
    };
    const diskPut = await rounds((r) => diskWrite(large, join(work, `copy-${r}`)));
    const s3Put = await rounds((r) => watched(() => curl(t, [{ path: `/bench/large-${r}`, upload: large }])));
    const diskGet = await rounds((r) => diskRead(join(work, `copy-${r}`)));
    const s3Get = await rounds((r) => watched(() => curl(t, [{ path: `/bench/large-${r}` }])));
    if (statSync(large).size !== LARGE_MIB * MIB) throw new Error('the large file has the wrong size');
    record(`disk write+fsync ${LARGE_MIB} MiB`, LARGE_MIB, diskPut);
    record(`PutObject ${LARGE_MIB} MiB`, LARGE_MIB, s3Put);
    record(`disk read ${LARGE_MIB} MiB`, LARGE_MIB, diskGet);
    record(`GetObject ${LARGE_MIB} MiB`, LARGE_MIB, s3Get);

    // 1 MiB objects, one after the other.
    const many = async (each: (i: number) => Promise<void>) => {
      for (let i = 0; i < SMALL_COUNT; i++) await each(i);
    };
    const smallDiskPut = await rounds((r) => many((i) => diskWrite(small, join(work, `s-${r}-${i}`))));
    const names = (r: number) => Array.from({ length: SMALL_COUNT }, (_, i) => `/bench/s-${r}-${i}`);
    const smallPut = await rounds((r) =>
      curl(
        t,
        names(r).map((path) => ({ path, upload: small })),
      ),
    );
    const smallDiskGet = await rounds((r) => many((i) => diskRead(join(work, `s-${r}-${i}`))));
    const smallGet = await rounds((r) =>
      curl(
        t,
        names(r).map((path) => ({ path })),
      ),
    );
    record(`disk write+fsync ${SMALL_COUNT} x 1 MiB`, SMALL_COUNT, smallDiskPut);
    record(`PutObject ${SMALL_COUNT} x 1 MiB`, SMALL_COUNT, smallPut);
    record(`disk read ${SMALL_COUNT} x 1 MiB`, SMALL_COUNT, smallDiskGet);
    record(`GetObject ${SMALL_COUNT} x 1 MiB`, SMALL_COUNT, smallGet);
    return { largeMib: LARGE_MIB, smallCount: SMALL_COUNT, cases, storageRssBeforeMib, storageRssPeakMib };
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function storagePid(dataDir: string): number {
  const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as {
    pids: { storage: number };
  };
  return runtime.pids.storage;
}

export function printStorage(r: StorageResult): void {
  console.log('');
  console.log(
    `Object storage: folder backend on the disk, one client, median of ${ROUNDS} rounds (${availableParallelism()} cores)`,
  );
  for (const c of r.cases) {
    console.log(
      `  ${c.name.padEnd(34)} ${c.mibPerSec.toFixed(0).padStart(6)} MiB/s   rounds ${c.rounds.map((x) => x.toFixed(0)).join(' / ')}`,
    );
  }
  const by = (prefix: string) => r.cases.find((c) => c.name.startsWith(prefix))!.mibPerSec;
  const putRatio = by(`PutObject ${r.largeMib}`) / by(`disk write+fsync ${r.largeMib}`);
  const getRatio = by(`GetObject ${r.largeMib}`) / by(`disk read ${r.largeMib}`);
  const smallPut = by(`PutObject ${r.smallCount}`) / by(`disk write+fsync ${r.smallCount}`);
  const smallGet = by(`GetObject ${r.smallCount}`) / by(`disk read ${r.smallCount}`);
  console.log(`put/disk ${r.largeMib} MiB: ${putRatio.toFixed(2)}   get/disk: ${getRatio.toFixed(2)}`);
  console.log(`put/disk 1 MiB objects: ${smallPut.toFixed(2)}   get/disk: ${smallGet.toFixed(2)}`);
  const growth = r.storageRssPeakMib - r.storageRssBeforeMib;
  console.log(
    `storage service RSS: ${r.storageRssBeforeMib.toFixed(0)} MiB before the ${r.largeMib} MiB transfers, ` +
      `${r.storageRssPeakMib.toFixed(0)} MiB at most during them (+${growth.toFixed(0)} MiB)`,
  );
  console.log(
    `target "PutObject ${r.largeMib} MiB >= ${DISK_TARGET} x disk": ${putRatio >= DISK_TARGET ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `target "GetObject ${r.largeMib} MiB >= ${DISK_TARGET} x disk": ${getRatio >= DISK_TARGET ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `target "storage peak RSS < ${RSS_TARGET_MIB} MiB during the transfer": ${r.storageRssPeakMib < RSS_TARGET_MIB ? 'MET' : 'NOT MET'}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchStorage().then(printStorage, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
