import { type RequestHandledEvent, Subjects } from '@symbolon/contracts';
import { loadConfig } from '@symbolon/platform';

import { coordinatorEnv } from '../config.js';
import { lifecycleHarness } from '../keys/lifecycle-harness.test-helper.js';
import { WearOut } from './wear-out.js';

const A = '111111111111';

function setup(
  limit: number,
  worn: (keyArn: string) => { keyArn: string; keyVersion: number; encryptions: number }[],
) {
  const h = lifecycleHarness({ keyCacheTtlMs: 0 });
  const config = loadConfig(coordinatorEnv, {
    SYMBOLON_REGION: 'eu-west-1',
    SYMBOLON_KEY_WEAROUT_LIMIT: String(limit),
  });
  const published: RequestHandledEvent[] = [];
  let keyArn = '';
  h.rpc.on(Subjects.audit.worn, () => ({ versions: worn(keyArn) }));
  const wearOut = new WearOut(h.resolver, h.rotator, h.rpcClient, config, {
    publish: async (e: RequestHandledEvent) => {
      published.push(e);
    },
  });
  return {
    ...h,
    wearOut,
    published,
    useKey: (arn: string) => {
      keyArn = arn;
    },
  };
}

describe('WearOut', () => {
  it('should ask audit for the versions at 90 % of the limit', async () => {
    const t = setup(1000, () => []);
    expect(t.wearOut.threshold()).toBe(900);
    await t.wearOut.run(t.clock.now());
    expect(t.rpc.to(Subjects.audit.worn).map((c) => c.payload)).toMatchObject([{ atLeast: 900, limit: 100 }]);
  });

  it('should give the key a new current version and record the rotation when its current version is worn', async () => {
    const t = setup(20, (keyArn) => [{ keyArn, keyVersion: 1, encryptions: 18 }]);
    const { key } = await t.seed(A, { region: 'eu-west-1' });
    t.useKey(key.arn);
    expect(await t.wearOut.run(t.clock.now())).toEqual([key.arn]);
    expect((await t.store.find(A, key.id))?.key.currentVersion).toBe(2);
    expect(t.published).toMatchObject([
      {
        tenantId: A,
        operation: 'Symbolon.WearOutRotation',
        keyArn: key.arn,
        keyVersion: 2,
        outcome: 'ok',
        decision: {
          effect: 'ALLOW',
          reason: 'wear-out: version 1 sealed 18 times; rotation at 18, limit 20',
        },
      },
    ]);
  });

  it('should leave the key alone when the worn version is no longer its current one', async () => {
    const t = setup(20, (keyArn) => [{ keyArn, keyVersion: 1, encryptions: 30 }]);
    const { key } = await t.seed(A, { region: 'eu-west-1', versions: [1, 2] });
    t.useKey(key.arn);
    expect(await t.wearOut.run(t.clock.now())).toEqual([]);
    expect((await t.store.find(A, key.id))?.key.currentVersion).toBe(2);
    expect(t.published).toEqual([]);
  });

  it('should leave a Disabled key alone when its current version is worn', async () => {
    const t = setup(20, (keyArn) => [{ keyArn, keyVersion: 1, encryptions: 19 }]);
    const { key } = await t.seed(A, { region: 'eu-west-1', overrides: { keyState: 'Disabled' } });
    t.useKey(key.arn);
    expect(await t.wearOut.run(t.clock.now())).toEqual([]);
    expect(t.published).toEqual([]);
  });
});
