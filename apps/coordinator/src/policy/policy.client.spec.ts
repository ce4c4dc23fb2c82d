import { jest } from '@jest/globals';
import { ErrorCodes, KmsError, Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { RecordingRpc } from '../../../../libs/testing/src/fakes/index.js';
import { newKeyRow } from '../../../../libs/testing/src/fakes/key-rows.js';
import type { KeyEntity } from '../keys/key.entity.js';
import { PolicyClient } from './policy.client.js';

const TENANT = '111122223333';
const scope = { requestId: 'r1', tenantId: TENANT, principal: `arn:aws:iam::${TENANT}:user/admin` };

function setup(reply: Record<string, unknown>) {
  const rpc = new RecordingRpc().reply(Subjects.policy.evaluate, reply);
  const client = new PolicyClient(rpc as unknown as RpcClient);
  const key = newKeyRow(TENANT) as unknown as KeyEntity;
  return { rpc, client, key, asks: () => rpc.to(Subjects.policy.evaluate).length };
}

describe('PolicyClient', () => {
  afterEach(() => jest.useRealTimers());

  it('should ask policy once when the decision is cacheable and asked again within its TTL', async () => {
    const t = setup({ effect: 'ALLOW', reason: 'default key policy', cacheTtlMs: 5000 });
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    const second = await t.client.authorize(scope, 'kms:Encrypt', t.key);
    expect(t.asks()).toBe(1);
    expect(second).toEqual({ effect: 'ALLOW', reason: 'default key policy' });
  });

  it('should ask policy every time when the decision carries no TTL', async () => {
    const t = setup({ effect: 'ALLOW', reason: 'conditional' });
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    expect(t.asks()).toBe(2);
  });

  it('should ask again when the cached decision has expired', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = setup({ effect: 'ALLOW', reason: 'default key policy', cacheTtlMs: 5000 });
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    jest.setSystemTime(1_000_000 + 5001);
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    expect(t.asks()).toBe(2);
  });

  it('should not reuse a decision when the action or principal differs', async () => {
    const t = setup({ effect: 'ALLOW', reason: 'default key policy', cacheTtlMs: 5000 });
    await t.client.authorize(scope, 'kms:Encrypt', t.key);
    await t.client.authorize(scope, 'kms:Decrypt', t.key);
    await t.client.authorize(
      { ...scope, principal: `arn:aws:iam::${TENANT}:user/other` },
      'kms:Encrypt',
      t.key,
    );
    expect(t.asks()).toBe(3);
  });

  it('should deny from the cache with the decision in details when a cached decision is DENY', async () => {
    const t = setup({ effect: 'DENY', reason: 'implicit deny', cacheTtlMs: 5000 });
    await expect(t.client.authorize(scope, 'kms:Encrypt', t.key)).rejects.toBeInstanceOf(KmsError);
    const e = (await t.client.authorize(scope, 'kms:Encrypt', t.key).catch((x: unknown) => x)) as KmsError;
    expect(e.code).toBe(ErrorCodes.ACCESS_DENIED);
    expect(e.details).toEqual({ effect: 'DENY', reason: 'implicit deny' });
    expect(t.asks()).toBe(1);
  });
});
