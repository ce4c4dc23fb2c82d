import { ErrorCodes } from '@symbolon/contracts';

import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { EnableKeyRotationUseCase } from '../enable-key-rotation/enable-key-rotation.use-case.js';
import { GetKeyRotationStatusUseCase } from './get-key-rotation-status.use-case.js';

const A = '111111111111';
const B = '222222222222';

function setup() {
  const h = lifecycleHarness();
  return {
    ...h,
    enable: new EnableKeyRotationUseCase(h.resolver, h.lifecycle, h.clock),
    useCase: new GetKeyRotationStatusUseCase(h.resolver),
  };
}

describe('GetKeyRotationStatusUseCase', () => {
  it('should answer rotation off without period or date when rotation was never enabled', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id })).toEqual({
      keyArn: key.arn,
      keyRotationEnabled: false,
    });
  });

  it('should answer the period and next rotation date when rotation is on', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.enable.execute({ ...scope(A), keyId: key.id, rotationPeriodInDays: 180 });
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id })).toEqual({
      keyArn: key.arn,
      keyRotationEnabled: true,
      rotationPeriodInDays: 180,
      nextRotationDate: '2025-08-28T12:00:00.000Z',
    });
  });

  it.each(['Disabled', 'PendingDeletion'] as const)(
    'should answer the status when the key is %s',
    async (keyState) => {
      const t = setup();
      const { key } = await t.seed(A, { overrides: { keyState } });
      expect((await t.useCase.execute({ ...scope(A), keyId: key.id })).keyRotationEnabled).toBe(false);
    },
  );

  it.each(['PendingImport', 'Unavailable'] as const)(
    'should answer INVALID_STATE when the key is %s',
    async (keyState) => {
      const t = setup();
      const { key } = await t.seed(A, { overrides: { keyState } });
      expect((await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).code).toBe(
        ErrorCodes.INVALID_STATE,
      );
    },
  );

  it('should answer tenant B by key ARN when policy allows it, asking for kms:GetKeyRotationStatus', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect((await t.useCase.execute({ ...scope(B), keyId: key.arn })).keyArn).toBe(key.arn);
    expect(t.policyRequests()).toEqual([
      { ...scope(B), action: 'kms:GetKeyRotationStatus', keyArn: key.arn, keyAccountId: A },
    ]);
  });

  it('should answer NOT_FOUND when tenant B names the key of A by id', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect((await rejection(t.useCase.execute({ ...scope(B), keyId: key.id }))).code).toBe(
      ErrorCodes.NOT_FOUND,
    );
  });
});
