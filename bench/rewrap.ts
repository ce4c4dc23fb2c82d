/**
 * Domain-key rotation under load (issue 5): how fast the coordinator's job re-wraps the EKTs of 100,000 key versions
 * under a new generation inside the token, and Encrypt throughput while it does, next to Encrypt throughput on the
 * same platform just before. Also alone: `node dist/bench/rewrap.js`.
 *
 * The key versions are rows written straight into the coordinator's database, each holding a copy of one real EKT
 * made by the token: the token unwraps and wraps every one of them, as for distinct keys.
 */
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { Subjects } from '@symbolon/contracts';
import { TokenHsm } from '@symbolon/pkcs11';
import { type RpcClient, freePort, initSoftHsmToken } from '@symbolon/platform';
import { type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import Database from 'better-sqlite3';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { operatorClient } from '../deploy/local/operator-client.js';
import { startPlatform } from '../deploy/local/platform.js';
import { platformClient } from './platform-client.js';
import { type LoadResult, runLoad } from './load.js';

const KEYS = Number(process.env['BENCH_REWRAP_KEYS'] ?? 100_000);
const CONNECTIONS = 64;
const DURATION_S = 10;
const RATE_TARGET = 10_000;
const LOAD_TARGET = 0.8;

export interface RewrapResult {
  /** The token's own cost, the baseline: unwrap, wrap and destroy of one key in a SoftHSM2 token, on one idle core. */
  tokenKeysPerSec: number;
  keys: number;
  seconds: number;
  keysPerSec: number;
  encryptBefore: LoadResult;
  encryptDuring: LoadResult;
  ratio: number;
}

/** Key rows of `domainId` (and one version each, holding `ekt`) for `n` keys of `account`, in one transaction. */
function insertKeys(dbFile: string, account: string, domainId: string, ekt: string, n: number): void {
  const db = new Database(dbFile);
  db.pragma('busy_timeout = 10000');
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const key = db.prepare(
    `INSERT INTO keys (id, tenant_id, arn, description, key_state, key_usage, key_spec, origin, domain_id, current_version, created_at)
     VALUES (?, ?, ?, 'rewrap bench', 'Enabled', 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', 'AWS_KMS', ?, 1, ?)`,
  );
  const version = db.prepare(
    'INSERT INTO key_versions (key_id, version, ekt, domain_generation, created_at) VALUES (?, 1, ?, 1, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      key.run(id, account, `arn:aws:kms:us-east-1:${account}:key/${id}`, domainId, now);
      version.run(id, ekt, now);
    }
  })();
  db.close();
}

/**
 * The baseline: re-wraps `n` keys straight through TokenHsm in this process (no platform, no load), the token work the
 * platform's re-wrap cannot go below. Best of three rounds.
 */
async function tokenRewrapRate(n = 2000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-bench-token-'));
  const previous = process.env['SOFTHSM2_CONF'];
  try {
    const token = await initSoftHsmToken({ dir, label: 'bench-rewrap', pin: '1234', soPin: '5678' });
    process.env['SOFTHSM2_CONF'] = token.conf;
    const hsm = TokenHsm.open({ modulePath: token.modulePath, tokenLabel: 'bench-rewrap', pin: '1234' });
    try {
      hsm.ensureDomainKey(1);
      hsm.ensureDomainKey(2);
      const refs = Array.from({ length: n }, () => hsm.generateKeyMaterial(1));
      let best = 0;
      for (let round = 0; round < 3; round++) {
        const t0 = process.hrtime.bigint();
        for (const ref of refs) hsm.rewrapKeyMaterial(ref, 2);
        best = Math.max(best, n / (Number(process.hrtime.bigint() - t0) / 1e9));
      }
      return best;
    } finally {
      hsm.close();
    }
  } finally {
    if (previous === undefined) delete process.env['SOFTHSM2_CONF'];
    else process.env['SOFTHSM2_CONF'] = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRewrap(): Promise<RewrapResult> {
  const tokenKeysPerSec = await tokenRewrapRate();
  const dataDir = mkdtempSync(join(tmpdir(), 'symbolon-bench-rewrap-'));
  const running = await startPlatform({
    dataDir,
    port: await freePort(),
    hsmTokens: 1,
    env: { SYMBOLON_JOB_INTERVAL_MS: '200' },
  });
  let operator: RpcClient | undefined;
  try {
    const { creds, kms } = platformClient(running);
    const loadKey = (await kms.send(new CreateKeyCommand({ Description: 'rewrap bench load' }))).KeyMetadata!
      .KeyId!;
    kms.destroy();
    const dbFile = join(dataDir, 'db', 'coordinator.sqlite');
    const read = new Database(dbFile, { readonly: true });
    const { ekt, domainId } = read
      .prepare(
        'SELECT v.ekt AS ekt, k.domain_id AS domainId FROM key_versions v JOIN keys k ON k.id = v.key_id WHERE v.key_id = ?',
      )
      .get(loadKey) as { ekt: string; domainId: string };
    read.close();
    insertKeys(dbFile, creds.accountId, domainId, ekt, KEYS);

    const load = (durationS: number) =>
      runLoad({
        url: running.endpoint,
        keyId: loadKey,
        credentials: creds,
        connections: CONNECTIONS,
        durationS,
      });
    await load(2);
    const encryptBefore = await load(DURATION_S);

    operator = await operatorClient(dataDir, 'bench-operator', 30_000);
    const rpc = operator;
    const status = () =>
      rpc.send<{ state: DomainState; rewrapRemaining: number }>(Subjects.domain.status, {
        requestId: randomUUID(),
      });
    const { state } = await status();
    const proposal = newProposal(
      state,
      { kind: 'rotate-domain-key', generation: state.generation + 1 },
      {
        ttlMs: 3_600_000,
        now: new Date(),
      },
    );
    const key = createPrivateKey(readFileSync(join(dataDir, 'operator-1.key.pem')));
    const t0 = process.hrtime.bigint();
    await rpc.send(Subjects.domain.submit, {
      requestId: randomUUID(),
      proposal,
      signatures: [signProposal(proposal, 'operator-1', key)],
    });
    const during = load(DURATION_S);
    let remaining = KEYS;
    while (remaining > 0) {
      await new Promise((r) => setTimeout(r, 250));
      remaining = (await status()).rewrapRemaining;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const encryptDuring = await during;
    return {
      tokenKeysPerSec,
      keys: KEYS,
      seconds,
      keysPerSec: KEYS / seconds,
      encryptBefore,
      encryptDuring,
      ratio: encryptDuring.reqPerSec / encryptBefore.reqPerSec,
    };
  } finally {
    await operator?.close();
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printRewrap(r: RewrapResult): void {
  console.log('');
  console.log(`Domain-key rotation: ${r.keys.toLocaleString('en')} key versions re-wrapped in the token`);
  console.log(`  re-wrap                    ${Math.round(r.keysPerSec)} keys/s (${r.seconds.toFixed(1)} s)`);
  console.log(`  the token alone (baseline) ${Math.round(r.tokenKeysPerSec)} keys/s on one idle core`);
  console.log(`re-wrap/token alone: ${(r.keysPerSec / r.tokenKeysPerSec).toFixed(3)}`);
  console.log(`  Encrypt before             ${Math.round(r.encryptBefore.reqPerSec)} req/s`);
  console.log(
    `  Encrypt during the re-wrap ${Math.round(r.encryptDuring.reqPerSec)} req/s (window ${DURATION_S} s; the re-wrap took ${r.seconds.toFixed(1)} s)`,
  );
  console.log(`during/before req/s: ${r.ratio.toFixed(3)}`);
  console.log(
    `target "re-wrap >= ${RATE_TARGET.toLocaleString('en')} keys/s": ${r.keysPerSec >= RATE_TARGET ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `target "Encrypt during re-wrap >= ${LOAD_TARGET} x before": ${r.ratio >= LOAD_TARGET ? 'MET' : 'NOT MET'}`,
  );
  const failed =
    r.encryptBefore.non2xx + r.encryptBefore.errors + r.encryptDuring.non2xx + r.encryptDuring.errors;
  if (failed > 0) throw new Error(`${failed} Encrypt requests failed around the rotation`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchRewrap().then(printRewrap, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
