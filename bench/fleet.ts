/**
 * The HSM fleet (issue 5): Encrypt throughput with one and with two hsm nodes in the domain, measured on the same
 * platform one after the other, and what the fleet's events cost under load: a third token joins, the domain key
 * rotates (re-wrap included) and the old generation is destroyed, an hsm node is killed with SIGKILL. For each event:
 * the failed requests of the load window around it, and how long it took (for the kill: until the coordinator routes
 * to the node again). Also alone: `node dist/bench/fleet.js`.
 */
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { Subjects } from '@symbolon/contracts';
import { freePort } from '@symbolon/platform';
import type { DomainState } from '@symbolon/quorum';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { lazyDomainCall } from '../apps/cli/src/nats-client.js';
import { approveAsDevelopmentOperator, joinDomain } from '../deploy/local/join-domain.js';
import { startPlatform } from '../deploy/local/platform.js';
import { platformClient } from './platform-client.js';
import { type LoadResult, runLoad } from './load.js';

const CONNECTIONS = 64;
const DURATION_S = 10;
/** Load window around an event: the event starts this long after the window does. */
const LEAD_MS = 1500;

export interface FleetEvent {
  name: string;
  /** How long the event took (kill: until the node is routed to again). */
  seconds: number;
  load: LoadResult;
}

export interface FleetResult {
  oneNode: LoadResult;
  twoNodes: LoadResult;
  ratio: number;
  events: FleetEvent[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchFleet(): Promise<FleetResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-bench-fleet-'));
  const running = await startPlatform({
    dataDir,
    port: await freePort(),
    hsmTokens: 3,
    autoJoin: false,
    env: { SYMBOLON_JOB_INTERVAL_MS: '200', SYMBOLON_HSM_HEALTH_INTERVAL_MS: '500' },
  });
  const domain = lazyDomainCall({ runtimeFile: join(dataDir, 'runtime.json') });
  try {
    const { creds, kms } = platformClient(running);
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'fleet bench' }))).KeyMetadata!.KeyId!;
    kms.destroy();
    const load = (durationS: number) =>
      runLoad({ url: running.endpoint, keyId, credentials: creds, connections: CONNECTIONS, durationS });
    const status = async () =>
      (await domain.call(Subjects.domain.status, {})) as {
        state: DomainState;
        rewrapRemaining: number;
        heldBack: string[];
      };
    /** Load for `durationS` with `event` started LEAD_MS in; the event's own duration in seconds. */
    const during = async (
      name: string,
      durationS: number,
      event: () => Promise<void>,
    ): Promise<FleetEvent> => {
      const window = load(durationS);
      await sleep(LEAD_MS);
      const t0 = process.hrtime.bigint();
      await event();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { name, seconds, load: await window };
    };
    const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + 120_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
      }
    };

    await status(); // the genesis reaches hsm-1
    await load(2);
    const oneNode = await load(DURATION_S);
    await joinDomain(dataDir, 'default', ['hsm-1', 'hsm-2'], () => undefined);
    await load(2);
    const twoNodes = await load(DURATION_S);

    const events: FleetEvent[] = [];
    events.push(
      await during('a third token joins', 6, async () => {
        await joinDomain(dataDir, 'default', ['hsm-1', 'hsm-2', 'hsm-3'], () => undefined);
      }),
    );
    events.push(
      await during('rotate, re-wrap, destroy the old generation', 8, async () => {
        const before = await approveAsDevelopmentOperator(dataDir, (s) => ({
          kind: 'rotate-domain-key',
          generation: s.generation + 1,
        }));
        if (!before || before === 'not-development') throw new Error('the rotation was not made');
        await until('the re-wrap', async () => (await status()).rewrapRemaining === 0);
        await approveAsDevelopmentOperator(dataDir, () => ({
          kind: 'destroy-generation',
          generation: before.generation,
        }));
      }),
    );
    const pids = () =>
      (JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { pids: Record<string, number> })
        .pids;
    events.push(
      await during('kill -9 of an hsm node', 8, async () => {
        const victim = pids()['hsm-2']!;
        process.kill(victim, 'SIGKILL');
        await until('the node restarted', async () => pids()['hsm-2'] !== victim);
        await until('the node routed to again', async () => {
          await sleep(50);
          return (
            (await status()).heldBack.length === 0 && (await routedUp(running.metricsPorts.coordinator!))
          );
        });
      }),
    );
    return { oneNode, twoNodes, ratio: twoNodes.reqPerSec / oneNode.reqPerSec, events };
  } finally {
    await domain.close();
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Whether the coordinator reports every member up (kms_hsm_node_up). */
async function routedUp(coordinatorPort: number): Promise<boolean> {
  const text = await (await fetch(`http://127.0.0.1:${coordinatorPort}/metrics`)).text();
  const values = [...text.matchAll(/^kms_hsm_node_up\{node="[^"]+"\} (\d)$/gm)].map((m) => m[1]);
  return values.length > 0 && values.every((v) => v === '1');
}

export function printFleet(r: FleetResult): void {
  console.log('');
  console.log('HSM fleet: one domain of SoftHSM2 tokens, Encrypt load (64 connections)');
  console.log(
    `  Encrypt, 1 hsm node        ${Math.round(r.oneNode.reqPerSec)} req/s (p99 ${r.oneNode.p99Ms} ms)`,
  );
  console.log(
    `  Encrypt, 2 hsm nodes       ${Math.round(r.twoNodes.reqPerSec)} req/s (p99 ${r.twoNodes.p99Ms} ms)`,
  );
  console.log(`two nodes/one node req/s: ${r.ratio.toFixed(3)}`);
  for (const e of r.events) {
    const total = e.load.ok + e.load.non2xx + e.load.errors;
    console.log(
      `  ${e.name.padEnd(46)} ${e.seconds.toFixed(2)} s; failed requests ${e.load.non2xx + e.load.errors} of ${total} (${Math.round(e.load.reqPerSec)} req/s in the window)`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchFleet().then(printFleet, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
