import { ErrorCodes } from '@symbolon/contracts';

import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { EnableKeyRotationUseCase } from '../enable-key-rotation/enable-key-rotation.use-case.js';
import { DisableKeyRotationUseCase } from './disable-key-rotation.use-case.js';

const A = '111111111111';
const B = '222222222222';

function setup() {
  const h = lifecycleHarness();
  return {
    ...h,
    enable: new EnableKeyRotationUseCase(h.resolver, h.lifecycle, h.clock),
    useCase: new DisableKeyRotationUseCase(h.resolver, h.lifecycle),
  };
}

describe('DisableKeyRotationUseCase', () => {
  it('should turn rotation off and clear the period and next date when it was on', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.enable.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 365 });
    expect(await t.useCase.execute({ ...scope(A), keyId: key.arn })).toEqual({ keyArn: key.arn });
    expect((await t.store.find(A, key.id))?.key).toMatchObject({
      rotationEnabled: false,
      rotationPeriodDays: null,
      nextRotationDate: null,
    });
  });

  it('should succeed and leave rotation off when it was never on', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute({ ...scope(A), keyId: key.id });
    expect((await t.store.find(A, key.id))?.key.rotationEnabled).toBe(false);
  });

  it('should answer DISABLED when the key is Disabled', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
      ErrorCodes.DISABLED,
    );
  });

  it('should answer INVALID_STATE when the key is PendingDeletion', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
      ErrorCodes.INVALID_STATE,
    );
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names the key of A by ARN', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect((await rejection(t.useCase.execute({ ...scope(B), keyId: key.arn }))).code).toBe(
      ErrorCodes.ACCESS_DENIED,
    );
    expect(t.policyRequests()).toEqual([]);
  });
});
