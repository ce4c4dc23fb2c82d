import { ErrorCodes } from '@symbolon/contracts';

import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { ScheduleKeyDeletionUseCase } from '../schedule-key-deletion/schedule-key-deletion.use-case.js';
import { CancelKeyDeletionUseCase } from './cancel-key-deletion.use-case.js';

const A = '111111111111';
const B = '222222222222';

function setup() {
  const h = lifecycleHarness();
  return {
    ...h,
    schedule: new ScheduleKeyDeletionUseCase(h.resolver, h.lifecycle, h.clock),
    useCase: new CancelKeyDeletionUseCase(h.resolver, h.lifecycle),
  };
}

describe('CancelKeyDeletionUseCase', () => {
  it('should leave the key Disabled without a deletion date when its deletion was scheduled', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.schedule.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id })).toEqual({ keyArn: key.arn });
    expect((await t.store.find(A, key.id))?.key).toMatchObject({
      keyState: 'Disabled',
      deletionDate: null,
      pendingWindowDays: null,
    });
    expect((await t.resolver.find(A, key.id)).stored?.key.keyState).toBe('Disabled');
  });

  it.each(['Enabled', 'Disabled', 'PendingImport', 'Unavailable'] as const)(
    'should answer INVALID_STATE naming the key not pending deletion when the key is %s',
    async (keyState) => {
      const t = setup();
      const { key } = await t.seed(A, { overrides: { keyState } });
      expect(await rejection(t.useCase.execute({ ...scope(A), keyId: key.id }))).toMatchObject({
        code: ErrorCodes.INVALID_STATE,
        message: `${key.arn} is not pending deletion.`,
      });
      expect((await t.store.find(A, key.id))?.key.keyState).toBe(keyState);
    },
  );

  it('should ask policy for kms:CancelKeyDeletion when cancelling', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await t.useCase.execute({ ...scope(A), keyId: key.arn });
    expect(t.policyRequests()).toEqual([
      { ...scope(A), action: 'kms:CancelKeyDeletion', keyArn: key.arn, keyAccountId: A },
    ]);
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names the key of A by ARN', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    expect((await rejection(t.useCase.execute({ ...scope(B), keyId: key.arn }))).code).toBe(
      ErrorCodes.ACCESS_DENIED,
    );
    expect(t.policyRequests()).toEqual([]);
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('PendingDeletion');
  });
});
