/**
 * `npm run bench`: the policy engine's decisions per second against Cedar, then Encrypt (4 KiB, SigV4-signed) at 64
 * connections against the full platform (without and with a conditional key policy) and two baselines, with the CPU
 * time of every process of each target. See bench/README.md.
 */
import {
  CreateKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { freePort, startNatsServer } from '@symbolon/platform';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { callAdmin } from '../apps/cli/src/admin-client.js';
import { startPlatform } from '../deploy/local/platform.js';
import { platformClient } from './platform-client.js';
import { benchAuditVerify } from './audit-verify.js';
import { type LoadResult, runLoad, smokeEncrypt } from './load.js';
import { type FleetResult, benchFleet, printFleet } from './fleet.js';
import { type RewrapResult, benchRewrap, printRewrap } from './rewrap.js';
import { type EnvelopeResult, benchEnvelope, printEnvelope } from './envelope.js';
import { type StorageResult, benchStorage, printStorage } from './storage.js';
import {
  type PolicyEngineResult,
  benchKeyPolicy,
  policyEngineOptions,
  printPolicyEngine,
  runPolicyEngineBench,
} from './policy-engine.js';
import { type SigningCredentials, assertSameAsSmithy, encryptBody } from './sign.js';

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const RESULTS_FILE = join(HERE, '..', 'bench-results.json');
const DURATION_S = positive('BENCH_DURATION_S', 10);
const WARMUP_S = positive('BENCH_WARMUP_S', 2);
const CONNECTIONS = positive('BENCH_CONNECTIONS', 64);
const TARGETS = [
  'policyEngine',
  'baselineA',
  'baselineB',
  'platform',
  'rewrap',
  'fleet',
  'envelope',
  'storage',
];
const ONLY = (process.env['BENCH_TARGETS'] ?? TARGETS.join(',')).split(',').map((t) => t.trim());
/** The goal of issue 4: the platform with a conditional key policy keeps this share of its req/s without one. */
const KEY_POLICY_TARGET_RATIO = 0.9;
const KEY_POLICY_ROW = 'platform + key policy';
/** The platform with its audit service stopped (SIGSTOP) during the window: no chain or counter work is done. */
const AUDIT_PAUSED_ROW = 'platform, audit paused';
/** Issue 6: Encrypt with the audit chain and counters on, against the same platform without that work. */
const AUDIT_TARGET_RATIO = 0.9;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** Fixed credentials for the baselines (they verify nothing, but get requests signed exactly like the platform's). */
const BASELINE_CREDENTIALS: SigningCredentials = {
  accessKeyId: 'AKIABENCHBASELINE000',
  secretAccessKey: 'bench/baseline/secret/key/000000000000000',
  region: 'us-east-1',
};

function positive(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}

let interrupted = false;

/** Everything to stop at the end, newest first, also on failure or Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
async function stopAll(): Promise<void> {
  while (cleanups.length)
    await cleanups.pop()!().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
}

/** A node child running a compiled bench file; resolves once it prints `ready`. */
async function startChild(file: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(HERE, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stopChild(child));
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} not ready in 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready$/m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before it was ready:\n${out}`));
    });
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

// ---- CPU accounting from /proc ----

type Processes = Record<string, number>; // name -> pid

/** utime + stime of a process in seconds (0 if it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

/** The platform's processes: children of this process, named by the service they run. */
function platformProcesses(natsConfigDir: string): Processes {
  const found: Processes = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const svc = /apps\/([a-z-]+)\/src\/main\.js/.exec(cmd)?.[1];
      if (svc) found[svc] = Number(entry);
      else if (cmd.includes('nats-server') && cmd.includes(natsConfigDir))
        found['nats-server'] = Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface CpuShare {
  process: string;
  cpuS: number;
  /** Share of one core over the measured window. */
  corePct: number;
  /** CPU time per answered request. */
  usPerReq: number;
}

interface TargetResult extends LoadResult {
  target: string;
  warmupNon2xx: number;
  /** 2xx answers during the warm-up. */
  warmupOk: number;
  /** CPU time of the target's own processes (load generator excluded) per answered request. */
  targetUsPerReq: number;
  machineBusyPct: number;
  /** Busy share of the machine that none of the measured processes (nor the load generator) account for. */
  otherLoadPct: number;
  cpu: CpuShare[];
}

/** Warm-up, then the measured run with CPU snapshots of the target's processes and of this process around it. */
async function measure(
  target: string,
  url: string,
  keyId: string,
  credentials: SigningCredentials,
  processes: Processes,
  /** Services preloaded with cpu-profile.js: signalled to profile the measured window. */
  profiled: number[] = [],
): Promise<TargetResult> {
  await smokeEncrypt({ url, keyId, credentials });
  const warm = await runLoad({ url, keyId, credentials, connections: CONNECTIONS, durationS: WARMUP_S });
  const before = Object.fromEntries(Object.entries(processes).map(([n, pid]) => [n, cpuSeconds(pid)]));
  const selfBefore = process.cpuUsage();
  const m0 = machineTicks();
  for (const pid of profiled) process.kill(pid, 'SIGWINCH');
  const t0 = process.hrtime.bigint();
  const r = await runLoad({ url, keyId, credentials, connections: CONNECTIONS, durationS: DURATION_S });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const pid of profiled) process.kill(pid, 'SIGWINCH');
  const m1 = machineTicks();
  const self = process.cpuUsage(selfBefore);
  const requests = Math.max(1, r.ok + r.non2xx);
  const share = (name: string, cpuS: number): CpuShare => ({
    process: name,
    cpuS: round(cpuS, 2),
    corePct: round((100 * cpuS) / wallS, 1),
    usPerReq: round((cpuS * 1e6) / requests, 0),
  });
  if (interrupted) throw new Error('interrupted');
  const after = Object.fromEntries(Object.entries(processes).map(([n, pid]) => [n, cpuSeconds(pid)]));
  const gone = Object.keys(processes).filter((n) => after[n] === 0);
  if (gone.length) throw new Error(`${gone.join(', ')} exited during the measured run`);
  const cpu = Object.entries(processes).map(([n]) => share(n, after[n]! - before[n]!));
  const targetUsPerReq = cpu.reduce((sum, c) => sum + c.usPerReq, 0);
  cpu.push(share('load generator', (self.user + self.system) / 1e6));
  const busyPct = (100 * (m1.busy - m0.busy)) / Math.max(1, m1.total - m0.total);
  const oursPct = cpu.reduce((sum, c) => sum + c.corePct, 0) / cpus().length;
  return {
    target,
    ...r,
    warmupNon2xx: warm.non2xx + warm.errors,
    warmupOk: warm.ok,
    targetUsPerReq,
    machineBusyPct: round(busyPct, 1),
    otherLoadPct: round(Math.max(0, busyPct - oursPct), 1),
    cpu,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// ---- targets ----

async function baselineA(): Promise<TargetResult> {
  const port = await freePort();
  const child = await startChild('baseline-fastify.js', { BENCH_PORT: String(port) });
  const r = await measure(
    'baseline A: fastify + AES-GCM',
    `http://127.0.0.1:${port}`,
    'bench-key',
    BASELINE_CREDENTIALS,
    {
      fastify: child.pid!,
    },
  );
  await cleanups.pop()!();
  return r;
}

async function baselineB(): Promise<TargetResult> {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-bench-nats-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const nats = await startNatsServer({ dir, jetstream: false });
  cleanups.push(() => nats.stop());
  const worker = await startChild('baseline-nest-worker.js', { BENCH_NATS_URL: nats.url });
  const port = await freePort();
  const gateway = await startChild('baseline-nest-gateway.js', {
    BENCH_NATS_URL: nats.url,
    BENCH_PORT: String(port),
  });
  const r = await measure(
    'baseline B: nest -> NATS -> nest',
    `http://127.0.0.1:${port}`,
    'bench-key',
    BASELINE_CREDENTIALS,
    {
      'nest gateway': gateway.pid!,
      'nest worker': worker.pid!,
      'nats-server': nats.pid,
    },
  );
  await stopAll();
  return r;
}

async function platform(): Promise<TargetResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-bench-platform-'));
  if (!process.env['BENCH_KEEP_DATA'])
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  else console.log(`platform data (kept): ${dataDir}`);
  const profDir = process.env['BENCH_CPU_PROF_DIR'];
  const running = await startPlatform({
    dataDir,
    port: await freePort(),
    // One token: the figures compare with earlier runs; the fleet target measures two.
    hsmTokens: 1,
    env: profDir
      ? { NODE_OPTIONS: `--import=${join(HERE, 'cpu-profile.js')}`, BENCH_CPU_PROF_DIR: profDir }
      : {},
  });
  cleanups.push(() => running.stop());
  const { creds, kms } = platformClient(running);
  cleanups.push(async () => kms.destroy());
  const created = await kms.send(new CreateKeyCommand({ Description: 'bench' }));
  const keyId = created.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('CreateKey returned no KeyId');
  const processes = platformProcesses(join(dataDir, 'nats'));
  for (const s of ['gateway', 'coordinator', 'policy', 'hsm', 'audit', 'nats-server']) {
    if (!processes[s]) throw new Error(`platform process ${s} not found among this process's children`);
  }
  const services = profDir
    ? Object.entries(processes)
        .filter(([n]) => n !== 'nats-server')
        .map(([, pid]) => pid)
    : [];
  const plain = await measure('platform', running.endpoint, keyId, creds, processes, services);
  if (interrupted) throw new Error('interrupted');
  const defaultPolicy = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })))
    .Policy!;
  await attachKeyPolicy(kms, keyId, creds);
  const withPolicy = await measure(KEY_POLICY_ROW, running.endpoint, keyId, creds, processes, services);
  if (interrupted) throw new Error('interrupted');
  // Last, under the default key policy again as in the platform row: the catch-up after a pause (JetStream deleting
  // the acknowledged backlog) would otherwise load whatever row came next.
  await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: defaultPolicy }));
  const usage = { endpoint: running.endpoint, credentials: creds, region: creds.region };
  const paused = await withAuditPaused(processes['audit']!, usage, keyId, () =>
    measure(AUDIT_PAUSED_ROW, running.endpoint, keyId, creds, processes, services),
  );
  if (profDir) await new Promise((r) => setTimeout(r, 2_000)); // let the services write their profiles
  await stopAll();
  return [plain, paused, withPolicy];
}

/**
 * Runs `work` with the audit process stopped (SIGSTOP): requests are still answered once their record is durable in
 * JetStream, but no record is chained or counted until it runs again (SIGCONT). Then waits until audit has counted
 * every Encrypt of the paused row (its smoke request, warm-up and window), so the next row does not pay for this
 * row's backlog.
 */
async function withAuditPaused(
  pid: number,
  usage: { endpoint: string; credentials: SigningCredentials; region: string },
  keyId: string,
  work: () => Promise<TargetResult>,
): Promise<TargetResult> {
  const counted = async () => {
    const res = await callAdmin({
      ...usage,
      operation: 'GetKeyUsage',
      service: 'Symbolon',
      body: { KeyId: keyId },
    });
    const versions = (res.body['KeyVersions'] ?? []) as { Encryptions: number }[];
    return versions.reduce((n, v) => n + v.Encryptions, 0);
  };
  const caughtUp = async (atLeast: number) => {
    const deadline = Date.now() + 180_000;
    let n = await counted();
    // Without a known figure (before the pause): until the counter stops moving.
    for (
      let last = -1;
      (atLeast < 0 ? n !== last : n < atLeast) && Date.now() < deadline;
      n = await counted()
    ) {
      last = n;
      await new Promise((r) => setTimeout(r, atLeast < 0 ? 2_000 : 250));
    }
    return n;
  };
  const before = await caughtUp(-1);
  process.kill(pid, 'SIGSTOP');
  let result: TargetResult;
  try {
    result = await work();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await caughtUp(before + 1 + result.warmupOk + result.ok);
  return result;
}

/**
 * PutKeyPolicy with bench/policy-engine.ts's key policy for the bench principal (the platform's first user, `admin`,
 * made by the gateway's bootstrap), then proves it is in force and decided per request: an Encrypt whose
 * encryption context the policy does not allow must be denied (waits up to 5 s for the policy change notice to drop
 * decisions the gateway reused under the default policy).
 */
async function attachKeyPolicy(
  kms: KMSClient,
  keyId: string,
  creds: SigningCredentials & { accountId?: string },
): Promise<void> {
  if (!creds.accountId) throw new Error('the credentials file names no accountId');
  const principal = `arn:aws:iam::${creds.accountId}:user/admin`;
  const policy = benchKeyPolicy(creds.accountId, principal);
  await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy }));
  const stored = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  if (stored.Policy !== policy) throw new Error('GetKeyPolicy does not return the key policy just put');
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from('bench'),
          EncryptionContext: { purpose: 'not-bench', tenant: 'bench-tenant' },
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name === 'AccessDeniedException') return;
      throw e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        'the key policy is not in force: an Encrypt it does not allow still succeeds after 5 s',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- report ----

interface Verdicts {
  ratios: Record<string, number>;
  met: boolean | null;
  keyPolicyMet: boolean | null;
}

function report(results: TargetResult[], engine: PolicyEngineResult | undefined): Verdicts {
  if (engine) printPolicyEngine(engine);
  if (results.length > 0) printTable(results);
  const byName = (name: string) => results.find((r) => r.target === name || r.target.startsWith(`${name}:`));
  const [p, a, b] = [byName('platform'), byName('baseline A'), byName('baseline B')];
  const pk = byName(KEY_POLICY_ROW);
  const ratios: Record<string, number> = {};
  if (p && a) ratios['platform/baselineA req/s'] = round(p.reqPerSec / a.reqPerSec, 3);
  if (p && b) ratios['platform/baselineB req/s'] = round(p.reqPerSec / b.reqPerSec, 3);
  if (p && b) ratios['baselineB/platform CPU us/req'] = round(b.targetUsPerReq / p.targetUsPerReq, 3);
  if (p && pk) ratios['platform+keyPolicy/platform req/s'] = round(pk.reqPerSec / p.reqPerSec, 3);
  if (p && pk)
    ratios['platform/platform+keyPolicy CPU us/req'] = round(p.targetUsPerReq / pk.targetUsPerReq, 3);
  const ap = byName(AUDIT_PAUSED_ROW);
  if (p && ap) ratios['platform/platform audit paused req/s'] = round(p.reqPerSec / ap.reqPerSec, 3);
  if (engine) ratios['engine/cedar decisions/s'] = engine.ratio;
  console.log('');
  for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v}`);
  const met = p && b ? p.reqPerSec >= 0.5 * b.reqPerSec : null;
  if (met !== null) console.log(`target "platform >= 0.5 x one-hop": ${met ? 'MET' : 'NOT MET'}`);
  const keyPolicyMet = p && pk ? pk.reqPerSec >= KEY_POLICY_TARGET_RATIO * p.reqPerSec : null;
  if (keyPolicyMet !== null) {
    console.log(
      `target "platform + key policy >= ${KEY_POLICY_TARGET_RATIO} x platform": ${keyPolicyMet ? 'MET' : 'NOT MET'}`,
    );
  }
  if (p && ap) {
    const auditMet = p.reqPerSec >= AUDIT_TARGET_RATIO * ap.reqPerSec;
    console.log(
      `target "platform (audit chain + counters) >= ${AUDIT_TARGET_RATIO} x audit paused": ${auditMet ? 'MET' : 'NOT MET'}`,
    );
  }
  return { ratios, met, keyPolicyMet };
}

function printTable(results: TargetResult[]): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `\nEncrypt 4 KiB, SigV4, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up (${cpus().length} cores)\n`,
  );
  console.log(
    `${'target'.padEnd(34)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}` +
      `${pad('CPU us/req', 12)}${pad('busy %', 8)}${pad('other %', 9)}`,
  );
  for (const r of results) {
    console.log(
      `${r.target.padEnd(34)}${pad(Math.round(r.reqPerSec), 9)}${pad(r.p50Ms, 9)}${pad(r.p99Ms, 9)}` +
        `${pad(r.non2xx + r.errors + r.warmupNon2xx, 8)}${pad(r.targetUsPerReq, 12)}${pad(r.machineBusyPct, 8)}${pad(r.otherLoadPct, 9)}`,
    );
  }
  console.log('\nCPU per process over the measured window (% of one core; microseconds of CPU per request):');
  for (const r of results) {
    console.log(`  ${r.target}`);
    for (const c of r.cpu)
      console.log(`    ${c.process.padEnd(16)}${pad(c.corePct, 7)} %${pad(c.usPerReq, 8)} us/req`);
  }
}

async function main(): Promise<void> {
  await assertSameAsSmithy(BASELINE_CREDENTIALS, { host: '127.0.0.1:8080', body: encryptBody('bench-key') });
  const runs: Record<string, () => Promise<TargetResult | TargetResult[]>> = {
    baselineA,
    baselineB,
    platform,
  };
  const results: TargetResult[] = [];
  let engine: PolicyEngineResult | undefined;
  let rewrap: RewrapResult | undefined;
  let fleet: FleetResult | undefined;
  let envelope: EnvelopeResult | undefined;
  let storage: StorageResult | undefined;
  for (const name of ONLY) {
    if (!TARGETS.includes(name))
      throw new Error(`unknown target ${name} in BENCH_TARGETS (${TARGETS.join(', ')})`);
    console.log(`running ${name} ...`);
    // In this process, before any target is started: nothing of the bench's own competes for the core.
    if (name === 'policyEngine') engine = runPolicyEngineBench(policyEngineOptions());
    // Domain-key rotation under load (issue 5): its own platform and its own report.
    else if (name === 'rewrap') rewrap = await benchRewrap();
    // The HSM fleet (issue 5): one and two nodes, and the fleet's events under load.
    else if (name === 'fleet') fleet = await benchFleet();
    // Streaming envelopes (issue 7): read from a file, output counted, one child process per case.
    else if (name === 'envelope') envelope = benchEnvelope();
    // Object storage (issue 8): its own platform, against the disk.
    else if (name === 'storage') storage = await benchStorage();
    else results.push(...[await runs[name]!()].flat());
    if (name === 'policyEngine') await benchAuditVerify(); // audit export verification (issue 6), also in process
  }
  if (interrupted) throw new Error('interrupted');
  const { ratios, met, keyPolicyMet } = report(results, engine);
  if (rewrap) printRewrap(rewrap);
  if (fleet) printFleet(fleet);
  if (envelope) printEnvelope(envelope);
  if (storage) printStorage(storage);
  writeFileSync(
    RESULTS_FILE,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cores: cpus().length,
        config: { connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, plaintextBytes: 4096 },
        results,
        ...(engine ? { policyEngine: engine } : {}),
        ...(envelope ? { envelope } : {}),
        ...(storage ? { storage } : {}),
        ratios,
        platformAtLeastHalfOfOneHop: met,
        platformWithKeyPolicyAtLeast90PercentOfPlatform: keyPolicyMet,
        policyEngineAtLeast200kDecisionsPerSec: engine ? engine.met : null,
      },
      null,
      2,
    ),
  );
  console.log(`results: ${RESULTS_FILE}`);
  const failed = results.filter((r) => r.non2xx + r.errors + r.warmupNon2xx > 0);
  if (failed.length) {
    throw new Error(
      `FAILED: non-2xx responses or socket errors from ${failed.map((r) => r.target).join(', ')}`,
    );
  }
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping every target process`);
    void stopAll().then(() => process.exit(code));
  });
}
try {
  await main();
} catch (e) {
  console.error(`\nbench ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
