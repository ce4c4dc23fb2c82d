import { ErrorCodes, Subjects } from '@symbolon/contracts';

import { keyHarness } from '../keys/key-harness.test-helper.js';
import { KeyPoliciesUseCase } from './key-policies.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-key-policy',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [] });

async function setup() {
  const h = keyHarness({ region: REGION });
  h.rpc.reply(Subjects.policy.putKeyPolicy, {}).reply(Subjects.policy.getKeyPolicy, { policy: POLICY });
  const { key } = await h.seed(A);
  const now = new Date();
  await h.aliasStore.create({
    tenantId: A,
    aliasName: 'alias/app',
    targetKeyId: key.id,
    createdAt: now,
    updatedAt: now,
  });
  return { ...h, key, useCase: new KeyPoliciesUseCase(h.resolver, h.rpcClient) };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Each operation called on a key named as given, by a caller of the given account. */
const operations: [string, string, (t: Setup, tenantId: string, keyId: string) => Promise<unknown>][] = [
  [
    'put',
    'kms:PutKeyPolicy',
    (t, tenantId, keyId) =>
      t.useCase.put({ ...scope(tenantId), keyId, policy: POLICY, bypassPolicyLockoutSafetyCheck: false }),
  ],
  ['get', 'kms:GetKeyPolicy', (t, tenantId, keyId) => t.useCase.get({ ...scope(tenantId), keyId })],
  ['list', 'kms:ListKeyPolicies', (t, tenantId, keyId) => t.useCase.list({ ...scope(tenantId), keyId })],
];

const policyServiceCalls = (t: Setup) => t.rpc.calls.filter((c) => c.subject !== Subjects.policy.evaluate);

describe('KeyPoliciesUseCase', () => {
  it.each(operations)(
    'should ask policy for the action on the key ARN when %s names an own key by id',
    async (_, action, call) => {
      const t = await setup();
      await call(t, A, t.key.id);
      expect(t.policyRequests()).toEqual([{ ...scope(A), action, keyArn: t.key.arn, keyAccountId: A }]);
    },
  );

  it('should forward the policy with the key ARN and account to the policy service when putting', async () => {
    const t = await setup();
    const r = await t.useCase.put({
      ...scope(A),
      sourceIp: '10.0.0.1',
      keyId: t.key.arn,
      policy: POLICY,
      bypassPolicyLockoutSafetyCheck: true,
    });
    expect(r).toEqual({ keyArn: t.key.arn });
    expect(t.rpc.to(Subjects.policy.putKeyPolicy).map((c) => c.payload)).toEqual([
      {
        ...scope(A),
        sourceIp: '10.0.0.1',
        keyArn: t.key.arn,
        keyAccountId: A,
        policy: POLICY,
        bypassLockoutCheck: true,
      },
    ]);
  });

  it('should answer MALFORMED_POLICY without calling the policy service when the policy is empty', async () => {
    const t = await setup();
    await expect(
      t.useCase.put({ ...scope(A), keyId: t.key.id, policy: '', bypassPolicyLockoutSafetyCheck: false }),
    ).rejects.toMatchObject({ code: ErrorCodes.MALFORMED_POLICY });
    expect(t.rpc.to(Subjects.policy.putKeyPolicy)).toEqual([]);
  });

  it('should answer the stored policy and the key ARN when getting', async () => {
    const t = await setup();
    const r = await t.useCase.get({ ...scope(A), keyId: t.key.id });
    expect(r).toEqual({ policy: POLICY, keyArn: t.key.arn });
    expect(t.rpc.to(Subjects.policy.getKeyPolicy).map((c) => c.payload)).toEqual([
      { ...scope(A), keyArn: t.key.arn, keyAccountId: A },
    ]);
  });

  it('should answer the one policy name without calling the policy service when listing', async () => {
    const t = await setup();
    const r = await t.useCase.list({ ...scope(A), keyId: t.key.id });
    expect(r).toEqual({ policyNames: ['default'], keyArn: t.key.arn });
    expect(policyServiceCalls(t)).toEqual([]);
  });

  it.each(operations)(
    'should answer ACCESS_DENIED without asking policy when %s names a key ARN of another account',
    async (_, action, call) => {
      const t = await setup();
      const { key: other } = await t.seed(B);
      await expect(call(t, A, other.arn)).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
        message: expect.stringContaining(`${action} on resource: ${other.arn}`),
      });
      expect(t.rpc.calls).toEqual([]);
    },
  );

  it.each(operations)(
    'should answer ACCESS_DENIED without asking policy when %s names a missing key ARN of another account',
    async (_, __, call) => {
      const t = await setup();
      const missing = `arn:aws:kms:${REGION}:${B}:key/00000000-0000-4000-8000-000000000000`;
      await expect(call(t, A, missing)).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
      expect(t.rpc.calls).toEqual([]);
    },
  );

  it.each(operations)(
    'should answer NOT_FOUND without asking policy when %s names an existing alias',
    async (_, __, call) => {
      const t = await setup();
      for (const alias of ['alias/app', `arn:aws:kms:${REGION}:${A}:alias/app`]) {
        await expect(call(t, A, alias)).rejects.toMatchObject({
          code: ErrorCodes.NOT_FOUND,
          message: `Invalid keyId ${alias}`,
        });
      }
      expect(t.rpc.calls).toEqual([]);
    },
  );

  it.each(operations)(
    'should answer NOT_FOUND when %s names a key id of another account',
    async (_, __, call) => {
      const t = await setup();
      const { key: other } = await t.seed(B);
      await expect(call(t, A, other.id)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
      expect(t.rpc.calls).toEqual([]);
    },
  );

  it.each(operations)(
    'should answer ACCESS_DENIED carrying the decision without calling the policy service when policy denies %s',
    async (_, __, call) => {
      const t = await setup();
      t.decide({ effect: 'DENY', reason: 'explicit deny in key policy: admins only' });
      await expect(call(t, A, t.key.id)).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
        details: { effect: 'DENY', reason: 'explicit deny in key policy: admins only' },
      });
      expect(policyServiceCalls(t)).toEqual([]);
    },
  );

  it.each(operations)('should serve %s when the key is pending deletion', async (_, __, call) => {
    const t = await setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(call(t, A, key.id)).resolves.toMatchObject({ keyArn: key.arn });
  });
});
