/**
 * The HSM fleet on the running platform (issue 5): a domain of several SoftHSM2 tokens that share the domain key, which
 * leaves a token only wrapped inside another member's token for the identity key an approved add-member names. The
 * platform starts with three tokens and only the first in the domain (SYMBOLON_HSM_AUTO_JOIN=false); the operators
 * bring the others in with the CLI ceremony. Under load (workers sending Encrypt and Decrypt without retries), a third
 * token joins, the domain key rotates and the old generation is destroyed in every token, and an hsm node is killed
 * with SIGKILL: no request started after an event fails.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  type DomainKeyPackage,
  ErrorCodes,
  HsmActions,
  type HsmDomainStateReply,
  KmsError,
  Subjects,
  hsmSubject,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import { type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { symbolon } from './support/cli.js';
import { domainKeysInToken } from './support/tokens.js';
import { toolingClient } from './support/operators.js';
import { requestsServedBy } from './support/runtime.js';

jest.setTimeout(300_000);

const WORKERS = 4;

let platform: TestPlatform;
let tooling: RpcClient;
let work: string;
let keyId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    hsmTokens: 3,
    env: {
      SYMBOLON_HSM_AUTO_JOIN: 'false',
      SYMBOLON_JOB_INTERVAL_MS: '500',
      SYMBOLON_HSM_HEALTH_INTERVAL_MS: '500',
    },
  });
  tooling = await toolingClient(platform);
  work = mkdtempSync(join(tmpdir(), 'symbolon-fleet-'));
  keyId = (await platform.kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
}, 240_000);

afterAll(async () => {
  await tooling?.close();
  await platform?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

async function symbolonJson<T>(...args: string[]): Promise<T> {
  const r = await symbolon(platform, ...args);
  if (r.code !== 0) throw new Error(`symbolon ${args.slice(0, 2).join(' ')} failed: ${r.err}`);
  return JSON.parse(r.out) as T;
}

const runtime = () => join(platform.dataDir, 'runtime.json');

/** The operators' ceremony with the CLI: propose (the CLI completes the change), sign offline, submit. */
async function approve(change: object): Promise<{ ceremony: string[]; epoch: number }> {
  const id = randomUUID();
  const changeFile = join(work, `${id}.change.json`);
  writeFileSync(changeFile, JSON.stringify(change));
  const proposal = join(work, `${id}.proposal.json`);
  const signature = join(work, `${id}.signature.json`);
  const proposed = await symbolonJson<{ Ceremony: string[] }>(
    'domain',
    'propose',
    '--runtime',
    runtime(),
    '--change',
    changeFile,
    '--out',
    proposal,
  );
  await symbolonJson(
    'domain',
    'sign',
    '--proposal',
    proposal,
    '--key',
    join(platform.dataDir, 'operator-1.key.pem'),
    '--operator-id',
    'operator-1',
    '--out',
    signature,
  );
  const submitted = await symbolonJson<{ Epoch: number }>(
    'domain',
    'submit',
    '--runtime',
    runtime(),
    '--proposal',
    proposal,
    '--signatures',
    signature,
  );
  return { ceremony: proposed.Ceremony, epoch: submitted.Epoch };
}

const nodeState = (nodeId: string) =>
  tooling.send<HsmDomainStateReply>(hsmSubject(nodeId, HsmActions.domainState), { requestId: randomUUID() });

/** The domain as the coordinator holds it (the same as every member's copy once a change is applied). */
function status(): Promise<{ state: DomainState; rewrapRemaining: number; heldBack: string[] }> {
  return tooling.send(Subjects.domain.status, { requestId: randomUUID() });
}

interface Sample {
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}

/** WORKERS loops of Encrypt then Decrypt, each request once (no SDK retry), until stopped. */
function startLoad(): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const kms = new KMSClient({
    endpoint: platform.endpoint,
    region: platform.credentials.region,
    credentials: {
      accessKeyId: platform.credentials.accessKeyId,
      secretAccessKey: platform.credentials.secretAccessKey,
    },
    maxAttempts: 1,
  });
  const timed = async (op: () => Promise<unknown>): Promise<unknown> => {
    const start = Date.now();
    try {
      const r = await op();
      samples.push({ start, end: Date.now(), ok: true });
      return r;
    } catch (e) {
      samples.push({ start, end: Date.now(), ok: false, error: (e as Error).name });
      return undefined;
    }
  };
  const worker = async (): Promise<void> => {
    while (running) {
      const sealed = (await timed(() =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(64) })),
      )) as { CiphertextBlob?: Uint8Array } | undefined;
      if (sealed?.CiphertextBlob) {
        await timed(() => kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })));
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, () => worker());
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      kms.destroy();
      return samples;
    },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function refusal(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('HSM fleet', () => {
  it('should refuse to wrap the domain key for a token that no approved change names', async () => {
    // The first domain request has the coordinator install the genesis, naming hsm-1's identity and signing keys.
    const { state } = await status();
    const hsm1 = await nodeState('hsm-1');
    expect(state.members).toEqual([
      {
        nodeId: 'hsm-1',
        tokenLabel: 'symbolon-hsm-1',
        identityPublicKey: hsm1.identityPublicKey,
        signingPublicKey: hsm1.signingPublicKey,
      },
    ]);
    const e = await refusal(
      tooling.send(hsmSubject('hsm-1', HsmActions.domainTransport), { requestId: randomUUID(), to: 'hsm-2' }),
    );
    expect(e.code).toBe(ErrorCodes.VALIDATION);
    expect(e.message).toContain('hsm-2 is not another member of the domain');
  });

  it('should refuse a join whose add-member the trusted operators did not sign, and keep no key', async () => {
    const { state } = await status();
    const joining = await nodeState('hsm-2');
    expect(joining.state).toBeNull();
    const member = {
      nodeId: 'hsm-2',
      tokenLabel: 'symbolon-hsm-2',
      identityPublicKey: joining.identityPublicKey,
    };
    const keyCheckValues = [{ generation: 1, keyCheckValue: '0'.repeat(32) }];
    const proposal = newProposal(
      state,
      { kind: 'add-member', member, keyCheckValues },
      { ttlMs: 600_000, now: new Date() },
    );
    // Someone who is not the operator signs in its name, and sends a key of its own making.
    const forger = generateKeyPairSync('ed25519').privateKey;
    const keys: DomainKeyPackage = {
      domainId: state.domainId,
      epoch: state.epoch + 1,
      from: 'hsm-1',
      to: 'hsm-2',
      keys: [{ generation: 1, wrapped: randomBytes(384).toString('base64'), keyCheckValue: '0'.repeat(32) }],
      signature: randomBytes(64).toString('base64'),
    };
    const e = await refusal(
      tooling.send(hsmSubject('hsm-2', HsmActions.domainJoin), {
        requestId: randomUUID(),
        state,
        keys,
        proposal,
        signatures: [signProposal(proposal, 'operator-1', forger)],
      }),
    );
    expect(e.code).toBe(ErrorCodes.VALIDATION);
    expect(e.message).toContain('the add-member is not approved: BAD_SIGNATURE');
    expect((await nodeState('hsm-2')).state).toBeNull();
    expect(domainKeysInToken(platform, 'hsm-2')).toEqual([]);
  });

  it('should bring a second token into the domain by the operators ceremony, with the same key in both', async () => {
    const before = await nodeState('hsm-1');
    const { ceremony, epoch } = await approve({
      kind: 'add-member',
      member: { nodeId: 'hsm-2', tokenLabel: 'symbolon-hsm-2' },
    });
    const kcv = before.keyCheckValues[0]!.keyCheckValue;
    // What the operators compared before they signed: the new token's identity and the domain key's check value.
    expect(ceremony.join('\n')).toContain(`receiving the domain keys with check values generation 1 ${kcv}`);
    expect(epoch).toBe((before.state as unknown as DomainState).epoch + 1);
    const joined = await nodeState('hsm-2');
    expect(joined.state).toEqual((await nodeState('hsm-1')).state);
    expect(joined.keyCheckValues).toEqual([{ generation: 1, keyCheckValue: kcv }]);
    expect(domainKeysInToken(platform, 'hsm-2')).toEqual(['symbolon-domain-1']);
    // Both members serve key operations.
    const load = startLoad();
    await new Promise((r) => setTimeout(r, 1500));
    const samples = await load.stop();
    expect(samples.filter((s) => !s.ok)).toEqual([]);
    expect(await requestsServedBy(platform, 'hsm-1')).toBeGreaterThan(0);
    expect(await requestsServedBy(platform, 'hsm-2')).toBeGreaterThan(0);
  });

  it('should fail no request while a third token joins and the domain key rotates and its old generation goes', async () => {
    const kms = platform.kms();
    const old = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before the rotation') }),
    );
    const load = startLoad();
    try {
      await new Promise((r) => setTimeout(r, 500));
      await approve({ kind: 'add-member', member: { nodeId: 'hsm-3', tokenLabel: 'symbolon-hsm-3' } });
      const { ceremony } = await approve({ kind: 'rotate-domain-key', generation: 2 });
      expect(ceremony.join('\n')).toMatch(/key made by hsm-\d, check value [0-9a-f]{32}/);
      await waitFor('the re-wrap', async () => ((await status()).rewrapRemaining === 0 ? true : undefined));
      await approve({ kind: 'destroy-generation', generation: 1 });
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      const samples = await load.stop();
      expect(samples.length).toBeGreaterThan(20);
      expect(samples.filter((s) => !s.ok)).toEqual([]);
    }
    const { state } = await status();
    expect(state.members.map((m) => m.nodeId)).toEqual(['hsm-1', 'hsm-2', 'hsm-3']);
    expect(state.generations).toMatchObject([
      { generation: 1, state: 'destroyed' },
      { generation: 2, state: 'active' },
    ]);
    for (const nodeId of ['hsm-1', 'hsm-2', 'hsm-3']) {
      expect({ nodeId, keys: domainKeysInToken(platform, nodeId) }).toEqual({
        nodeId,
        keys: ['symbolon-domain-2'],
      });
      expect((await nodeState(nodeId)).keyCheckValues).toEqual([
        { generation: 2, keyCheckValue: state.generations[1]!.keyCheckValue },
      ]);
    }
    // A ciphertext of before the rotation decrypts: its key was re-wrapped under generation 2.
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('before the rotation');
  });

  it('should list every member token signing key, the signer first, for verifiers to pin', async () => {
    const out = join(work, 'signing-keys.b64');
    const r = await symbolonJson<{
      PublicKey: string;
      SigningKeys: { NodeId: string; Fingerprint: string }[];
    }>('key', 'signing-key', '--out', out);
    expect(r.SigningKeys.map((k) => k.NodeId)).toEqual(['hsm-1', 'hsm-2', 'hsm-3']);
    expect(new Set(r.SigningKeys.map((k) => k.Fingerprint)).size).toBe(3);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(r.PublicKey);
  });

  it('should fail no request started after an hsm node is killed with SIGKILL, and route to it again', async () => {
    const pids = () => (JSON.parse(readFileSync(runtime(), 'utf8')) as { pids: Record<string, number> }).pids;
    const victim = pids()['hsm-2']!;
    const load = startLoad();
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 4000));
    const samples = await load.stop();
    const failed = samples.filter((s) => !s.ok);
    // Only requests already in flight at the kill may fail; none started after it.
    expect(failed.filter((s) => s.start >= killedAt)).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(WORKERS);
    expect(samples.filter((s) => s.start >= killedAt && s.ok).length).toBeGreaterThan(10);
    // The launcher starts the node again; it holds its state and keys, and the coordinator routes to it again.
    await waitFor('hsm-2 started again', async () => (pids()['hsm-2'] !== victim ? true : undefined));
    await waitFor('hsm-2 routed to again', async () => {
      const s = await status();
      return s.heldBack.length === 0 ? true : undefined;
    });
    const served = await requestsServedBy(platform, 'hsm-2');
    const again = startLoad();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await again.stop()).filter((s) => !s.ok)).toEqual([]);
    expect(await requestsServedBy(platform, 'hsm-2')).toBeGreaterThan(served);
  });
});
