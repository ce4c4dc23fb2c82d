/**
 * Invariant 2 on the running platform: no domain change takes effect without a valid quorum, checked by every hsm
 * node itself. The development domain (1-of-1, operator-1) is first moved by two proposals to operators A, B, C with
 * a 2-of-3 rule for every change. Then each bad submission is sent both straight to the hsm node's NATS subject (as
 * the tooling user, past the coordinator) and through the coordinator (as the operator user): the node refuses it
 * with its libs/quorum code and keeps its epoch. Two valid signatures apply the change on every member, and every
 * submission through the coordinator, refused or applied, is in the audit chain.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HsmActions, type HsmDomainStateReply, KmsError, Subjects, hsmSubject } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import {
  type DomainChange,
  type DomainProposal,
  type DomainState,
  type OperatorSignature,
  newProposal,
  signProposal,
  thresholdRule,
  uniformRules,
} from '@symbolon/quorum';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { type KeyObject, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { developmentOperator, operatorClient, toolingClient } from './support/operators.js';

jest.setTimeout(120_000);

const NODE = 'hsm-1';
const HOUR = 3_600_000;

let platform: TestPlatform;
/** The tooling user: any subject, so it can reach the hsm node directly. */
let tooling: RpcClient;
/** The operator user (role `operator`): kms.v1.domain.> only. */
let operator: RpcClient;

interface Op {
  id: string;
  publicKey: string;
  privateKey: KeyObject;
}
const op = (id: string): Op => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { id, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), privateKey };
};
const [A, B, C, E] = ['A', 'B', 'C', 'E'].map(op) as [Op, Op, Op, Op];

beforeAll(async () => {
  platform = await startTestPlatform();
  tooling = await toolingClient(platform);
  operator = await operatorClient(platform);
}, 240_000);

afterAll(async () => {
  await tooling?.close();
  await operator?.close();
  await platform?.stop();
}, 240_000);

const nodeState = async (): Promise<DomainState> =>
  (
    await tooling.send<HsmDomainStateReply>(hsmSubject(NODE, HsmActions.domainState), {
      requestId: randomUUID(),
    })
  ).state as unknown as DomainState;

const coordinatorState = async (): Promise<DomainState> =>
  (await operator.send<{ state: DomainState }>(Subjects.domain.status, { requestId: randomUUID() })).state;

const proposal = async (change: DomainChange, opts: { now?: Date } = {}): Promise<DomainProposal> =>
  newProposal(await nodeState(), change, { ttlMs: HOUR, now: opts.now ?? new Date() });

const sign = (p: DomainProposal, o: Op): OperatorSignature => signProposal(p, o.id, o.privateKey);

const submit = (p: DomainProposal, signatures: unknown[]) =>
  operator.send<{ epoch: number }>(Subjects.domain.submit, {
    requestId: randomUUID(),
    proposal: p,
    signatures,
  });

const direct = (p: DomainProposal, signatures: unknown[]) =>
  tooling.send<{ epoch: number }>(hsmSubject(NODE, HsmActions.domainApply), {
    requestId: randomUUID(),
    proposal: p,
    signatures,
  });

/** The refusal code a path answered (the node's libs/quorum code), or 'applied'. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'applied',
    (e: unknown) => (e instanceof KmsError ? `${e.code} ${e.message.split(':')[0]}` : String(e)),
  );

describe('domain changes under a 2-of-3 quorum', () => {
  const addD = { kind: 'set-operators' } as const;

  beforeAll(async () => {
    // The coordinator installs the genesis in a member that has none (at its start, and on every domain request).
    expect((await coordinatorState()).epoch).toBe(1);
    expect((await nodeState()).epoch).toBe(1);
    const dev = developmentOperator(platform) as Op;
    const state = await nodeState();
    const toABC = await proposal({
      kind: 'set-operators',
      operators: [...state.operators, ...[A, B, C].map(({ id, publicKey }) => ({ id, publicKey }))],
    });
    expect((await submit(toABC, [sign(toABC, dev)])).epoch).toBe(2);
    const twoOfThree = await proposal({
      kind: 'set-rules',
      rules: uniformRules(thresholdRule(['A', 'B', 'C'], 2)),
    });
    expect((await submit(twoOfThree, [sign(twoOfThree, dev)])).epoch).toBe(3);
    expect((await coordinatorState()).epoch).toBe(3);
  });

  const withD = async (opts: { now?: Date } = {}) => {
    const state = await nodeState();
    const D = op('D');
    return proposal({ ...addD, operators: [...state.operators, { id: D.id, publicKey: D.publicKey }] }, opts);
  };

  it.each([
    [
      'one signature only',
      async () => {
        const p = await withD();
        return { p, sigs: [sign(p, A)], code: 'QUORUM_NOT_MET' };
      },
    ],
    [
      'a forged signature',
      async () => {
        const p = await withD();
        return {
          p,
          sigs: [sign(p, A), { operatorId: 'B', signature: randomBytes(64).toString('base64') }],
          code: 'BAD_SIGNATURE',
        };
      },
    ],
    [
      'a signature over a different change',
      async () => {
        const p = await withD();
        const other = await withD();
        return { p, sigs: [sign(p, A), sign(other, B)], code: 'BAD_SIGNATURE' };
      },
    ],
    [
      'a stale epoch',
      async () => {
        const p = { ...(await withD()), epoch: 2 };
        return { p, sigs: [sign(p, A), sign(p, B)], code: 'STALE_EPOCH' };
      },
    ],
    [
      'an expired proposal',
      async () => {
        const p = await withD({ now: new Date(Date.now() - 2 * HOUR) });
        return { p, sigs: [sign(p, A), sign(p, B)], code: 'EXPIRED' };
      },
    ],
    [
      'an unknown signer',
      async () => {
        const p = await withD();
        return { p, sigs: [sign(p, A), sign(p, E)], code: 'UNKNOWN_SIGNER' };
      },
    ],
    [
      'the same operator counted twice',
      async () => {
        const p = await withD();
        return { p, sigs: [sign(p, A), sign(p, A)], code: 'QUORUM_NOT_MET' };
      },
    ],
  ])(
    'should be refused by the hsm node itself for %s, directly and through the coordinator',
    async (_name, make) => {
      const { p, sigs, code } = await make();
      expect(await outcome(direct(p, sigs))).toBe(`QUORUM_REFUSED ${code}`);
      expect(await outcome(submit(p, sigs))).toBe(`QUORUM_REFUSED ${code}`);
      expect((await nodeState()).epoch).toBe(3);
      expect((await coordinatorState()).epoch).toBe(3);
    },
  );

  it('should apply a change with two valid signatures on every member, then refuse it replayed', async () => {
    const p = await withD();
    expect(await submit(p, [sign(p, A), sign(p, C)])).toMatchObject({
      epoch: 4,
      members: [{ nodeId: NODE, epoch: 4 }],
    });
    const held = await nodeState();
    expect(held.epoch).toBe(4);
    expect(held.operators.map((o) => o.id)).toEqual(['operator-1', 'A', 'B', 'C', 'D']);
    expect(await coordinatorState()).toEqual(held);
    // The same proposal again: its nonce was applied.
    expect(await outcome(direct(p, [sign(p, A), sign(p, C)]))).toBe('QUORUM_REFUSED REPLAYED');
    expect(await outcome(submit(p, [sign(p, A), sign(p, C)]))).toBe('QUORUM_REFUSED REPLAYED');
  });

  it('should record every submission through the coordinator, refused or applied, in the audit chain', async () => {
    const deadline = Date.now() + 10_000;
    let outcomes: string[] = [];
    while (Date.now() < deadline) {
      const db = new Database(join(platform.dataDir, 'db', 'audit.sqlite'), { readonly: true });
      outcomes = (
        db
          .prepare(
            "SELECT outcome FROM audit_records WHERE operation = 'Symbolon.DomainChange' ORDER BY sequence",
          )
          .all() as { outcome: string }[]
      ).map((r) => r.outcome);
      db.close();
      if (outcomes.length >= 11) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(outcomes).toEqual([
      'ok',
      'ok',
      'QUORUM_NOT_MET',
      'BAD_SIGNATURE',
      'BAD_SIGNATURE',
      'STALE_EPOCH',
      'EXPIRED',
      'UNKNOWN_SIGNER',
      'QUORUM_NOT_MET',
      'ok',
      'REPLAYED',
    ]);
  });

  it('should not let the operator user reach an hsm node past the coordinator', async () => {
    const p = await withD();
    const sent = operator.send(
      hsmSubject(NODE, HsmActions.domainApply),
      { requestId: 'x', proposal: p, signatures: [sign(p, A), sign(p, B)] },
      2_000,
    );
    expect(await outcome(sent)).toMatch(/^DEPENDENCY_TIMEOUT/);
    expect((await nodeState()).epoch).toBe(4);
  });
});
