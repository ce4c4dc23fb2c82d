import { ErrorCodes, HsmActions, KmsError, Subjects, hsmSubject } from '@symbolon/contracts';
import { type RpcClient, loadConfig } from '@symbolon/platform';
import { developmentDomain } from '@symbolon/quorum';

import { FAKE_DOMAIN_ID, asFake } from '../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../config.js';
import { domainsOf } from '../domain/domain.test-helper.js';
import { lifecycleHarness, scope } from '../keys/lifecycle-harness.test-helper.js';
import { DecryptUseCase } from '../keys/use-cases/decrypt/decrypt.use-case.js';
import { EnableKeyRotationUseCase } from '../keys/use-cases/enable-key-rotation/enable-key-rotation.use-case.js';
import { EncryptUseCase } from '../keys/use-cases/encrypt/encrypt.use-case.js';
import { ScheduleKeyDeletionUseCase } from '../keys/use-cases/schedule-key-deletion/schedule-key-deletion.use-case.js';
import { HsmRouter } from '../routing/hsm-router.js';
import { NodeHealth } from '../routing/node-health.js';
import { KeyLifecycleJob } from './key-lifecycle.job.js';

const A = '111111111111';
const NODES = ['hsm-1', 'hsm-2'];
const PLAINTEXT = Buffer.from('old data').toString('base64');

function setup() {
  const h = lifecycleHarness();
  const destroyed: { node: string; ekts: string[] }[] = [];
  let failing: string | undefined;
  for (const node of NODES) {
    h.rpc.on(hsmSubject(node, HsmActions.destroyKey), (p) => {
      if (failing === node) throw new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no reply in time');
      destroyed.push({ node, ekts: p['ekts'] as string[] });
      return { evicted: 1 };
    });
  }
  const domain = domainsOf([
    developmentDomain(
      FAKE_DOMAIN_ID,
      NODES.map((nodeId) => ({ nodeId, tokenLabel: nodeId })),
      { id: 'operator-1', publicKey: '' },
    ),
  ]);
  let policyDown = false;
  h.rpc.on(Subjects.policy.forgetKey, () => {
    if (policyDown) throw new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no reply in time');
    return {};
  });
  const config = loadConfig(coordinatorEnv, { SYMBOLON_JOB_INTERVAL_MS: '50' });
  const job = new KeyLifecycleJob(
    h.lifecycle,
    h.rotator,
    h.resolver,
    new HsmRouter(
      asFake<RpcClient>(h.rpc),
      domain,
      config,
      new NodeHealth(asFake<RpcClient>(h.rpc), domain, config),
    ),
    asFake<RpcClient>(h.rpc),
    h.clock,
    config,
  );
  return {
    ...h,
    job,
    destroyed,
    failOn: (node: string | undefined) => void (failing = node),
    policyFails: () => void (policyDown = true),
    schedule: new ScheduleKeyDeletionUseCase(h.resolver, h.lifecycle, h.clock),
    enable: new EnableKeyRotationUseCase(h.resolver, h.lifecycle, h.clock),
    encrypt: new EncryptUseCase(h.resolver, h.router),
    decrypt: new DecryptUseCase(h.resolver, h.router),
  };
}

describe('KeyLifecycleJob', () => {
  describe('deletion', () => {
    it('should ask the policy service to drop the key policy and grants of a key it deleted, and only of it', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(7);
      await t.job.runOnce();
      expect(t.rpc.to(Subjects.policy.forgetKey).map((c) => c.payload)).toMatchObject([
        { tenantId: A, keyArn: key.arn, keyAccountId: A },
      ]);
    });

    it('should still count the key deleted when the policy service cannot drop its policies', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(7);
      t.policyFails();
      expect(await t.job.runOnce()).toEqual({ deleted: [key.arn], rotated: [] });
      expect(await t.store.find(A, key.id)).toBeUndefined();
    });

    it('should leave a key pending deletion alone until its deletion date has passed', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(7);
      t.clock.advanceMs(-1);
      expect(await t.job.runOnce()).toEqual({ deleted: [], rotated: [] });
      expect(t.store.size).toBe(1);
      expect(t.destroyed).toEqual([]);
    });

    it('should evict every version from every hsm node, then delete the key, its versions and dependent rows', async () => {
      const t = setup();
      const { key, versions } = await t.seed(A, { versions: [1, 2, 3] });
      const other = (await t.seed(A)).key;
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(7);
      expect(await t.job.runOnce()).toEqual({ deleted: [key.arn], rotated: [] });
      const ekts = versions.map((v) => v.ekt);
      expect(t.destroyed).toEqual(NODES.map((node) => ({ node, ekts })));
      expect(await t.store.find(A, key.id)).toBeUndefined();
      expect(await t.lifecycle.versionsOf(key.id)).toEqual([]);
      expect(t.lifecycleStore.dependentDeletes).toEqual([key.id]);
      expect(await t.store.find(A, other.id)).toBeDefined();
    });

    it('should make the key unknown to the resolver at once when it was cached', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 30 });
      await t.resolver.find(A, key.id);
      t.clock.advanceDays(31);
      await t.job.runOnce();
      await expect(t.resolver.find(A, key.id)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    });

    it('should keep the key and retry on the next run when an hsm node cannot be reached', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(8);
      t.failOn('hsm-2');
      expect((await t.job.runOnce()).deleted).toEqual([]);
      expect(await t.store.find(A, key.id)).toBeDefined();
      t.failOn(undefined);
      expect((await t.job.runOnce()).deleted).toEqual([key.arn]);
      expect(await t.store.find(A, key.id)).toBeUndefined();
    });

    it('should not delete a key whose deletion was cancelled after the job found it', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(8);
      // The cancel lands between the job's query and its delete: the delete is guarded by state and date.
      t.rpc.on(hsmSubject('hsm-2', HsmActions.destroyKey), () => {
        t.store.update(key.id, { keyState: 'Disabled', deletionDate: null });
        return { evicted: 0 };
      });
      expect((await t.job.runOnce()).deleted).toEqual([]);
      expect((await t.store.find(A, key.id))?.key.keyState).toBe('Disabled');
    });
  });

  describe('rotation', () => {
    it('should give a due Enabled key a new AUTOMATIC version and move its next date by the period', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.enable.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 90 });
      const { ciphertextBlob } = await t.encrypt.execute({
        ...scope(A),
        keyId: key.id,
        plaintext: PLAINTEXT,
        encryptionContext: {},
      });
      t.clock.advanceDays(89);
      expect((await t.job.runOnce()).rotated).toEqual([]);
      t.clock.advanceDays(1);
      expect(await t.job.runOnce()).toEqual({ deleted: [], rotated: [key.arn] });
      const stored = await t.store.find(A, key.id);
      expect(stored?.key.currentVersion).toBe(2);
      expect(stored?.versions.get(2)).toMatchObject({ rotationType: 'AUTOMATIC', createdAt: t.clock.now() });
      expect(stored?.key.nextRotationDate).toEqual(new Date(t.clock.now().getTime() + 90 * 86_400_000));
      expect((await t.job.runOnce()).rotated).toEqual([]);
      const r = await t.decrypt.execute({ ...scope(A), ciphertextBlob, encryptionContext: {} });
      expect(r).toMatchObject({ plaintext: PLAINTEXT, keyVersion: 1 });
      const fresh = await t.encrypt.execute({
        ...scope(A),
        keyId: key.id,
        plaintext: PLAINTEXT,
        encryptionContext: {},
      });
      expect(fresh.keyVersion).toBe(2);
    });

    it('should not rotate a due key while it is Disabled, and rotate it on the first run after it is enabled again', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.enable.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 });
      t.store.update(key.id, { keyState: 'Disabled' });
      t.clock.advanceDays(400);
      expect((await t.job.runOnce()).rotated).toEqual([]);
      t.store.update(key.id, { keyState: 'Enabled' });
      expect((await t.job.runOnce()).rotated).toEqual([key.arn]);
    });

    it('should skip a key another replica rotated first and rotate the others', async () => {
      const t = setup();
      const one = (await t.seed(A)).key;
      const two = (await t.seed(A)).key;
      await t.enable.execute({ ...scope(A), keyId: one.id, rotationPeriodInDays: 90 });
      t.clock.advanceMs(1);
      await t.enable.execute({ ...scope(A), keyId: two.id, rotationPeriodInDays: 90 });
      t.clock.advanceDays(91);
      t.lifecycleStore.loseNextRace = true;
      expect((await t.job.runOnce()).rotated).toEqual([two.arn]);
    });

    it('should go on with the other keys when the hsm fails for one', async () => {
      const t = setup();
      const one = (await t.seed(A)).key;
      const two = (await t.seed(A)).key;
      await t.enable.execute({ ...scope(A), keyId: one.id, rotationPeriodInDays: 90 });
      t.clock.advanceMs(1);
      await t.enable.execute({ ...scope(A), keyId: two.id, rotationPeriodInDays: 90 });
      t.clock.advanceDays(91);
      t.hsm.failNext(new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'token unavailable: DEVICE_ERROR'));
      expect((await t.job.runOnce()).rotated).toEqual([two.arn]);
      expect((await t.job.runOnce()).rotated).toEqual([one.arn]);
    });
  });

  describe('schedule', () => {
    it('should run on its interval after bootstrap and stop on shutdown', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
      t.clock.advanceDays(8);
      t.job.onApplicationBootstrap();
      const deadline = Date.now() + 2000;
      while (t.store.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await t.job.beforeApplicationShutdown();
      expect(t.store.size).toBe(0);
      const calls = t.rpc.calls.length;
      await new Promise((r) => setTimeout(r, 120));
      expect(t.rpc.calls.length).toBe(calls);
    });

    it('should not start a second run while one is still going', async () => {
      const t = setup();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let runs = 0;
      t.job.runOnce = async () => {
        runs++;
        await gate;
        return { deleted: [], rotated: [] };
      };
      t.job.tick();
      t.job.tick();
      expect(runs).toBe(1);
      release();
      await t.job.beforeApplicationShutdown();
      t.job.tick();
      expect(runs).toBe(2);
      await t.job.beforeApplicationShutdown();
    });
  });
});
