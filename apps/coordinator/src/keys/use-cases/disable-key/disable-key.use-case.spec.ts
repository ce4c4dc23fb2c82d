import { ErrorCodes } from '@symbolon/contracts';

import { A, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

describe('DisableKeyUseCase', () => {
  it.each(['Enabled', 'Disabled'] as const)(
    'should leave the key Disabled when it was %s',
    async (keyState) => {
      const t = keyAdminHarness();
      const { key } = await t.seed(A, { overrides: { keyState } });
      await t.resolver.find(A, key.id);
      await t.disable.execute({ ...scope(A), keyId: key.id });
      expect((await t.resolver.find(A, key.id)).stored?.key.keyState).toBe('Disabled');
      expect(t.policyRequests()).toMatchObject([{ action: 'kms:DisableKey' }]);
    },
  );

  it('should answer INVALID_STATE when the key is pending deletion', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(t.disable.execute({ ...scope(A), keyId: key.id })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_STATE,
    });
  });

  it('should keep the key Enabled when policy denies kms:DisableKey', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'no' });
    await expect(t.disable.execute({ ...scope(A), keyId: key.id })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('Enabled');
  });
});
