import { ErrorCodes } from '@symbolon/contracts';

import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { EnableKeyRotationUseCase } from './enable-key-rotation.use-case.js';

const A = '111111111111';
const B = '222222222222';

function setup() {
  const h = lifecycleHarness();
  return { ...h, useCase: new EnableKeyRotationUseCase(h.resolver, h.lifecycle, h.clock) };
}

describe('EnableKeyRotationUseCase', () => {
  it('should turn rotation on with the period and the first rotation that many days from now', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 90 })).toEqual({
      keyArn: key.arn,
    });
    expect((await t.store.find(A, key.id))?.key).toMatchObject({
      rotationEnabled: true,
      rotationPeriodDays: 90,
      nextRotationDate: new Date('2025-05-30T12:00:00.000Z'),
    });
  });

  it('should set the new period from now when rotation is already on', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 });
    t.clock.advanceDays(10);
    await t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 2560 });
    expect((await t.store.find(A, key.id))?.key).toMatchObject({
      rotationPeriodDays: 2560,
      nextRotationDate: new Date(t.clock.now().getTime() + 2560 * 86_400_000),
    });
  });

  it('should answer DISABLED and change nothing when the key is Disabled', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    expect(
      await rejection(t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 })),
    ).toMatchObject({ code: ErrorCodes.DISABLED, message: `${key.arn} is disabled.` });
    expect((await t.store.find(A, key.id))?.key.rotationEnabled).toBeUndefined();
  });

  it('should answer INVALID_STATE when the key is PendingDeletion', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    expect(
      (await rejection(t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 }))).code,
    ).toBe(ErrorCodes.INVALID_STATE);
  });

  it('should ask policy for kms:EnableKeyRotation and refuse another account by ARN', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 });
    expect(t.policyRequests()).toEqual([
      { ...scope(A), action: 'kms:EnableKeyRotation', keyArn: key.arn, keyAccountId: A },
    ]);
    expect(
      (await rejection(t.useCase.execute({ ...scope(B), keyId: key.arn, rotationPeriodInDays: 365 }))).code,
    ).toBe(ErrorCodes.ACCESS_DENIED);
  });
});
