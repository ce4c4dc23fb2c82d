import { ErrorCodes, HsmActions, KmsError, MAX_ON_DEMAND_ROTATIONS } from '@symbolon/contracts';
import { deserializeCiphertextBlob } from '@symbolon/formats';

import { FAKE_DOMAIN_ID } from '../../../../../../libs/testing/src/fakes/index.js';
import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { DecryptUseCase } from '../decrypt/decrypt.use-case.js';
import { EnableKeyRotationUseCase } from '../enable-key-rotation/enable-key-rotation.use-case.js';
import { EncryptUseCase } from '../encrypt/encrypt.use-case.js';
import { RotateKeyOnDemandUseCase } from './rotate-key-on-demand.use-case.js';

const A = '111111111111';
const B = '222222222222';
const PLAINTEXT = Buffer.from('rotate me').toString('base64');

function setup() {
  const h = lifecycleHarness();
  return {
    ...h,
    useCase: new RotateKeyOnDemandUseCase(h.resolver, h.repo, h.rotator, h.clock),
    encrypt: new EncryptUseCase(h.resolver, h.router),
    decrypt: new DecryptUseCase(h.resolver, h.router),
    enable: new EnableKeyRotationUseCase(h.resolver, h.lifecycle, h.clock),
  };
}

describe('RotateKeyOnDemandUseCase', () => {
  it('should store a new ON_DEMAND version from the hsm and make it current', async () => {
    const t = setup();
    const { key, versions } = await t.seed(A);
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id })).toEqual({
      keyArn: key.arn,
      keyVersion: 2,
    });
    expect(t.hsm.calls).toEqual([
      { action: HsmActions.generateKey, payload: { requestId: 'req-lifecycle' }, domainId: FAKE_DOMAIN_ID },
    ]);
    const stored = await t.store.find(A, key.id);
    expect(stored?.key.currentVersion).toBe(2);
    expect(stored?.versions.get(2)).toMatchObject({
      keyId: key.id,
      version: 2,
      rotationType: 'ON_DEMAND',
      createdAt: t.clock.now(),
    });
    expect(stored?.versions.get(2)?.ekt).not.toBe(versions[0]!.ekt);
  });

  it('should encrypt under the new version and still decrypt blobs of every earlier version', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const blobs = [];
    for (let i = 0; i < 3; i++) {
      blobs.push(
        (await t.encrypt.execute({ ...scope(A), keyId: key.id, plaintext: PLAINTEXT, encryptionContext: {} }))
          .ciphertextBlob,
      );
      await t.useCase.execute({ ...scope(A), keyId: key.id });
    }
    expect(blobs.map((b) => deserializeCiphertextBlob(Buffer.from(b, 'base64')).keyVersion)).toEqual([
      1, 2, 3,
    ]);
    for (const ciphertextBlob of blobs) {
      const r = await t.decrypt.execute({ ...scope(A), ciphertextBlob, encryptionContext: {} });
      expect(r.plaintext).toBe(PLAINTEXT);
    }
    const latest = await t.encrypt.execute({
      ...scope(A),
      keyId: key.id,
      plaintext: PLAINTEXT,
      encryptionContext: {},
    });
    expect(latest.keyVersion).toBe(4);
  });

  it('should leave the automatic schedule unchanged when rotation is on', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.enable.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 });
    const before = (await t.store.find(A, key.id))?.key.nextRotationDate;
    t.clock.advanceDays(3);
    await t.useCase.execute({ ...scope(A), keyId: key.id });
    expect((await t.store.find(A, key.id))?.key.nextRotationDate).toEqual(before);
  });

  it(`should answer LIMIT_EXCEEDED without calling the hsm after ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations`, async () => {
    const t = setup();
    const { key } = await t.seed(A);
    for (let i = 0; i < MAX_ON_DEMAND_ROTATIONS; i++) await t.useCase.execute({ ...scope(A), keyId: key.id });
    t.hsm.calls.length = 0;
    expect(await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).toMatchObject({
      code: ErrorCodes.LIMIT_EXCEEDED,
      message: `${key.arn} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`,
    });
    expect(t.hsm.calls).toEqual([]);
    expect((await t.store.find(A, key.id))?.key.currentVersion).toBe(MAX_ON_DEMAND_ROTATIONS + 1);
  });

  it('should not count automatic rotations against the on-demand limit', async () => {
    const t = setup();
    const { key, versions } = await t.seed(A, { versions: [1, 2, 3] });
    for (const v of versions.slice(1)) t.store.putVersion({ ...v, rotationType: 'AUTOMATIC' });
    for (let i = 0; i < MAX_ON_DEMAND_ROTATIONS; i++) await t.useCase.execute({ ...scope(A), keyId: key.id });
    expect((await t.store.find(A, key.id))?.key.currentVersion).toBe(3 + MAX_ON_DEMAND_ROTATIONS);
  });

  it('should answer CONFLICT and keep the current version when another rotation won the race', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.lifecycleStore.loseNextRace = true;
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
      ErrorCodes.CONFLICT,
    );
    expect((await t.store.find(A, key.id))?.key.currentVersion).toBe(1);
  });

  it('should store nothing and pass the error on when the hsm fails', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.hsm.failNext(new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'token unavailable: DEVICE_ERROR'));
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
      ErrorCodes.HSM_UNAVAILABLE,
    );
    expect([...(await t.store.find(A, key.id))!.versions.keys()]).toEqual([1]);
  });

  it.each([
    ['Disabled', ErrorCodes.DISABLED],
    ['PendingDeletion', ErrorCodes.INVALID_STATE],
    ['PendingImport', ErrorCodes.INVALID_STATE],
  ] as const)('should answer %s -> %s without calling the hsm', async (keyState, code) => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState } });
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(code);
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer DISABLED when the key was disabled after the resolver cached it', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.resolver.find(A, key.id);
    t.store.update(key.id, { keyState: 'Disabled' });
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
      ErrorCodes.DISABLED,
    );
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names the key of A by ARN', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect((await rejection(t.useCase.execute({ ...scope(B), keyId: key.arn }))).code).toBe(
      ErrorCodes.ACCESS_DENIED,
    );
    expect(t.policyRequests()).toEqual([]);
    expect(t.hsm.calls).toEqual([]);
  });
});
