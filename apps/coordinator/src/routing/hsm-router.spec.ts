import { type ErrorCode, ErrorCodes, HsmActions, KmsError, hsmSubject } from '@symbolon/contracts';
import { loadConfig, type RpcClient } from '@symbolon/platform';
import { type DomainState, developmentDomain } from '@symbolon/quorum';

import { RecordingRpc, asFake } from '../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../config.js';
import { domainsOf } from '../domain/domain.test-helper.js';
import { HsmRouter } from './hsm-router.js';
import { NodeHealth } from './node-health.js';

const TIMEOUT_MS = 1234;
const PAYLOAD = { requestId: 'req-route', length: 32 };
const subjectOf = (nodeId: string) => hsmSubject(nodeId, HsmActions.generateRandom);

function setup(nodeIds: string[]) {
  const domain: DomainState = developmentDomain(
    'domain-test',
    nodeIds.map((nodeId) => ({ nodeId, tokenLabel: `token-${nodeId}` })),
    { id: 'operator-1', publicKey: '' },
  );
  const rpc = new RecordingRpc();
  for (const nodeId of nodeIds) rpc.on(subjectOf(nodeId), () => ({ answeredBy: nodeId }));
  const domainService = domainsOf([domain]);
  const config = loadConfig(coordinatorEnv, { SYMBOLON_HSM_TIMEOUT_MS: String(TIMEOUT_MS) });
  const health = new NodeHealth(asFake<RpcClient>(rpc), domainService, config);
  const router = new HsmRouter(asFake<RpcClient>(rpc), domainService, config, health);
  const route = () =>
    router.in('domain-test').call<{ answeredBy: string }>(HsmActions.generateRandom, PAYLOAD);
  /** What `nodeId` answers to a health check. */
  const healthOf = (nodeId: string, reply: { ok: boolean; ready: boolean } | Error) =>
    rpc.on(hsmSubject(nodeId, HsmActions.health), () => {
      if (reply instanceof Error) throw reply;
      return { nodeId, tokenLabel: nodeId, domainGeneration: 1, cachedKeys: 0, ...reply };
    });
  /** `nodeId` fails every request with `error` from now on. */
  const failing = (nodeId: string, error: unknown) =>
    rpc.on(subjectOf(nodeId), () => {
      throw error;
    });
  const sign = async () =>
    (await router.in('domain-test').callSigner<{ answeredBy: string }>(HsmActions.generateRandom, PAYLOAD))
      .reply.answeredBy;
  return { rpc, route, sign, failing, health, healthOf };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('HsmRouter', () => {
  it('should send each request to the next member in turn when both members answer', async () => {
    const t = setup(['hsm-1', 'hsm-2']);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await t.route()).answeredBy);
    expect(answers).toEqual(['hsm-1', 'hsm-2', 'hsm-1', 'hsm-2']);
    expect(t.rpc.calls.map((c) => c.subject)).toEqual([
      subjectOf('hsm-1'),
      subjectOf('hsm-2'),
      subjectOf('hsm-1'),
      subjectOf('hsm-2'),
    ]);
  });

  it('should send the payload with the configured hsm timeout when routing', async () => {
    const t = setup(['hsm-1']);
    await t.route();
    expect(t.rpc.calls).toEqual([{ subject: subjectOf('hsm-1'), payload: PAYLOAD, timeoutMs: TIMEOUT_MS }]);
  });

  it.each([ErrorCodes.HSM_UNAVAILABLE, ErrorCodes.DEPENDENCY_TIMEOUT])(
    'should answer from the next member when the first fails with %s',
    async (code) => {
      const t = setup(['hsm-1', 'hsm-2']);
      t.failing('hsm-1', new KmsError(code, 'node down'));
      expect(await t.route()).toEqual({ answeredBy: 'hsm-2' });
      expect(t.rpc.calls.map((c) => c.subject)).toEqual([subjectOf('hsm-1'), subjectOf('hsm-2')]);
      expect(t.rpc.calls[1]?.payload).toEqual(PAYLOAD);
    },
  );

  it('should throw the last failure after trying each member once when every member is unavailable', async () => {
    const t = setup(['hsm-1', 'hsm-2']);
    const second = new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'hsm-2 timed out');
    t.failing('hsm-1', new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'hsm-1 down'));
    t.failing('hsm-2', second);
    expect(await rejection(t.route())).toBe(second);
    expect(t.rpc.calls.map((c) => c.subject)).toEqual([subjectOf('hsm-1'), subjectOf('hsm-2')]);
  });

  it.each<ErrorCode>([ErrorCodes.INVALID_CIPHERTEXT, ErrorCodes.INTERNAL])(
    'should throw at once after one call without trying the next member when a member fails with %s',
    async (code) => {
      const t = setup(['hsm-1', 'hsm-2']);
      const error = new KmsError(code, 'refused by the token');
      t.failing('hsm-1', error);
      expect(await rejection(t.route())).toBe(error);
      expect(t.rpc.calls.map((c) => c.subject)).toEqual([subjectOf('hsm-1')]);
    },
  );

  it('should throw at once after one call when a member fails with an error that is not a KmsError', async () => {
    const t = setup(['hsm-1', 'hsm-2']);
    const error = new Error('socket closed');
    t.failing('hsm-1', error);
    expect(await rejection(t.route())).toBe(error);
    expect(t.rpc.calls).toHaveLength(1);
  });

  it('should send to a member that failed only after the others when it is held back', async () => {
    const t = setup(['hsm-1', 'hsm-2', 'hsm-3']);
    t.failing('hsm-1', new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no responders'));
    expect((await t.route()).answeredBy).toBe('hsm-2');
    expect(t.health.heldBack()).toEqual(['hsm-1']);
    t.rpc.calls.length = 0;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await t.route()).answeredBy);
    // Each request starts at the next member in turn, but never at hsm-1 while it is held back.
    expect(answers).toEqual(['hsm-2', 'hsm-3', 'hsm-2']);
    expect(t.rpc.calls.map((c) => c.subject)).not.toContain(subjectOf('hsm-1'));
  });

  it('should still try a held-back member last when every other member fails', async () => {
    const t = setup(['hsm-1', 'hsm-2']);
    t.health.holdBack('hsm-1', 'test');
    t.failing('hsm-2', new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'hsm-2 down'));
    expect((await t.route()).answeredBy).toBe('hsm-1');
  });

  it('should route to a held-back member again when a health check finds it ready', async () => {
    const t = setup(['hsm-1', 'hsm-2']);
    t.health.holdBack('hsm-1', 'test');
    t.healthOf('hsm-1', { ok: true, ready: true });
    t.healthOf('hsm-2', { ok: true, ready: true });
    await t.health.check();
    expect(t.health.heldBack()).toEqual([]);
    const answers = [(await t.route()).answeredBy, (await t.route()).answeredBy];
    expect(answers.sort()).toEqual(['hsm-1', 'hsm-2']);
  });

  it.each([
    ['not ready (no key of the active generation)', { ok: true, ready: false }],
    ['not ok', { ok: false, ready: false }],
    ['not answering', new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no responders')],
  ] as const)('should hold a member back when its health check says %s', async (_name, reply) => {
    const t = setup(['hsm-1', 'hsm-2']);
    t.healthOf('hsm-1', reply);
    t.healthOf('hsm-2', { ok: true, ready: true });
    await t.health.check();
    expect(t.health.heldBack()).toEqual(['hsm-1']);
    expect(t.health.isUp('hsm-2')).toBe(true);
  });

  it('should send every signing request to the first member in the state order while it is up', async () => {
    const t = setup(['hsm-1', 'hsm-2', 'hsm-3']);
    expect([await t.sign(), await t.sign(), await t.sign()]).toEqual(['hsm-1', 'hsm-1', 'hsm-1']);
    t.failing('hsm-1', new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no responders'));
    // While it is not, the next one signs (with its own key).
    expect(await t.sign()).toBe('hsm-2');
    expect(await t.sign()).toBe('hsm-2');
  });

  it('should answer HSM_UNAVAILABLE without sending anything when the domain has no members', async () => {
    const t = setup([]);
    const e = await rejection(t.route());
    expect(e).toBeInstanceOf(KmsError);
    expect(e).toMatchObject({ code: ErrorCodes.HSM_UNAVAILABLE });
    expect(t.rpc.calls).toEqual([]);
  });

  it("should send only to the members of the key's domain, taking turns within it, when there are two domains", async () => {
    const rpc = new RecordingRpc();
    for (const nodeId of ['eu-1', 'eu-2', 'us-1']) rpc.on(subjectOf(nodeId), () => ({ answeredBy: nodeId }));
    const operator = { id: 'operator-1', publicKey: '' };
    const domains = domainsOf([
      developmentDomain(
        'cks-eu',
        ['eu-1', 'eu-2'].map((nodeId) => ({ nodeId, tokenLabel: nodeId })),
        operator,
      ),
      developmentDomain('cks-us', [{ nodeId: 'us-1', tokenLabel: 'us-1' }], operator),
    ]);
    const config = loadConfig(coordinatorEnv, {});
    const router = new HsmRouter(
      asFake<RpcClient>(rpc),
      domains,
      config,
      new NodeHealth(asFake<RpcClient>(rpc), domains, config),
    );
    const answered = async (key: { domainId: string | null }) =>
      (await router.forKey(key).call<{ answeredBy: string }>(HsmActions.generateRandom, PAYLOAD)).answeredBy;
    const us = [await answered({ domainId: 'cks-us' }), await answered({ domainId: 'cks-us' })];
    const eu = [await answered({ domainId: 'cks-eu' }), await answered({ domainId: 'cks-eu' })];
    expect(us).toEqual(['us-1', 'us-1']);
    expect(eu.sort()).toEqual(['eu-1', 'eu-2']);
    // A key from before placement (no domain) is the default domain's.
    expect(await answered({ domainId: null })).toMatch(/^eu-/);
    expect(() => router.in('cks-mars')).toThrow(
      expect.objectContaining({ code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND }),
    );
    await expect(
      router.in('cks-us').callNode('eu-1', HsmActions.generateRandom, PAYLOAD),
    ).rejects.toMatchObject({
      code: ErrorCodes.HSM_UNAVAILABLE,
    });
  });
});
