import { type ErrorCode, ErrorCodes, HsmActions, KmsError, hsmSubject } from '@symbolon/contracts';
import { loadConfig, type RpcClient } from '@symbolon/platform';
import { type DomainState, developmentDomain } from '@symbolon/quorum';

import { RecordingRpc, asFake } from '../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../config.js';
import type { DomainService } from '../domain/domain.service.js';
import { HsmRouter } from './hsm-router.js';

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
  const domainService = asFake<DomainService>({
    onModuleInit: async () => {},
    adopt: async () => {},
    current: () => domain,
  });
  const config = loadConfig(coordinatorEnv, { SYMBOLON_HSM_TIMEOUT_MS: String(TIMEOUT_MS) });
  const router = new HsmRouter(asFake<RpcClient>(rpc), domainService, config);
  const route = () => router.call<{ answeredBy: string }>(HsmActions.generateRandom, PAYLOAD);
  /** `nodeId` fails every request with `error` from now on. */
  const failing = (nodeId: string, error: unknown) =>
    rpc.on(subjectOf(nodeId), () => {
      throw error;
    });
  return { rpc, route, failing };
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

  it('should answer HSM_UNAVAILABLE without sending anything when the domain has no members', async () => {
    const t = setup([]);
    const e = await rejection(t.route());
    expect(e).toBeInstanceOf(KmsError);
    expect(e).toMatchObject({ code: ErrorCodes.HSM_UNAVAILABLE });
    expect(t.rpc.calls).toEqual([]);
  });
});
