import { ErrorCodes } from '@symbolon/contracts';

import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { keyArn } from '../../key-id.js';
import { ScheduleKeyDeletionUseCase } from './schedule-key-deletion.use-case.js';

const A = '111111111111';
const B = '222222222222';

function setup() {
  const h = lifecycleHarness();
  return { ...h, useCase: new ScheduleKeyDeletionUseCase(h.resolver, h.lifecycle, h.clock) };
}

describe('ScheduleKeyDeletionUseCase', () => {
  it('should make the key PendingDeletion until now plus the window when the key is Enabled', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const r = await t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
    expect(r).toEqual({
      keyArn: key.arn,
      deletionDate: '2025-03-08T12:00:00.000Z',
      keyState: 'PendingDeletion',
      pendingWindowInDays: 7,
    });
    expect((await t.store.find(A, key.id))?.key).toMatchObject({
      keyState: 'PendingDeletion',
      deletionDate: new Date('2025-03-08T12:00:00.000Z'),
      pendingWindowDays: 7,
    });
  });

  it('should show the new state at once through the resolver when the key was cached', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.resolver.find(A, key.id);
    await t.useCase.execute({ ...scope(A), keyId: key.arn, pendingWindowInDays: 30 });
    expect((await t.resolver.find(A, key.id)).stored?.key.keyState).toBe('PendingDeletion');
  });

  it.each(['Disabled', 'PendingImport', 'Unavailable'] as const)(
    'should schedule the deletion when the key is %s',
    async (keyState) => {
      const t = setup();
      const { key } = await t.seed(A, { overrides: { keyState } });
      const r = await t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 30 });
      expect(r.keyState).toBe('PendingDeletion');
      expect(r.deletionDate).toBe('2025-03-31T12:00:00.000Z');
    },
  );

  it('should answer INVALID_STATE naming pending deletion when the key is already PendingDeletion', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    expect(
      await rejection(t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 })),
    ).toMatchObject({ code: ErrorCodes.INVALID_STATE, message: `${key.arn} is pending deletion.` });
  });

  it('should answer INVALID_STATE when another request scheduled the deletion after the key was cached', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.resolver.find(A, key.id);
    t.store.update(key.id, { keyState: 'PendingDeletion' });
    expect(
      (await rejection(t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 }))).code,
    ).toBe(ErrorCodes.INVALID_STATE);
  });

  it('should ask policy for kms:ScheduleKeyDeletion when scheduling', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 });
    expect(t.policyRequests()).toEqual([
      { ...scope(A), action: 'kms:ScheduleKeyDeletion', keyArn: key.arn, keyAccountId: A },
    ]);
  });

  it('should answer ACCESS_DENIED and change nothing when policy denies', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'explicit deny' });
    expect(
      (await rejection(t.useCase.execute({ ...scope(A), keyId: key.id, pendingWindowInDays: 7 }))).code,
    ).toBe(ErrorCodes.ACCESS_DENIED);
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('Enabled');
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names the key of A by ARN', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect(
      (await rejection(t.useCase.execute({ ...scope(B), keyId: key.arn, pendingWindowInDays: 7 }))).code,
    ).toBe(ErrorCodes.ACCESS_DENIED);
    expect(t.policyRequests()).toEqual([]);
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('Enabled');
  });

  it('should answer NOT_FOUND when tenant B names the key of A by id', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    expect(
      (await rejection(t.useCase.execute({ ...scope(B), keyId: key.id, pendingWindowInDays: 7 }))).code,
    ).toBe(ErrorCodes.NOT_FOUND);
  });

  it('should answer NOT_FOUND when the key does not exist', async () => {
    const t = setup();
    const id = '0b8e2a3c-1111-4222-8333-944455556666';
    expect(
      await rejection(t.useCase.execute({ ...scope(A), keyId: id, pendingWindowInDays: 7 })),
    ).toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: `Key '${keyArn('eu-west-1', A, id)}' does not exist`,
    });
  });
});
