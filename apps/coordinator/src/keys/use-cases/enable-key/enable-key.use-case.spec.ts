import { ErrorCodes, KeyStates } from '@symbolon/contracts';

import { A, B, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

describe('EnableKeyUseCase', () => {
  it.each(['Enabled', 'Disabled'] as const)(
    'should leave the key Enabled when it was %s',
    async (keyState) => {
      const t = keyAdminHarness();
      const { key } = await t.seed(A, { overrides: { keyState } });
      await t.resolver.find(A, key.id); // cached as it was
      expect(await t.enable.execute({ ...scope(A), keyId: key.arn })).toEqual({ keyArn: key.arn });
      expect((await t.resolver.find(A, key.id)).stored?.key.keyState).toBe('Enabled');
      expect(t.policyRequests()).toMatchObject([{ action: 'kms:EnableKey', keyArn: key.arn }]);
    },
  );

  it.each(KeyStates.filter((s) => s !== 'Enabled' && s !== 'Disabled'))(
    'should answer INVALID_STATE and change nothing when the key is %s',
    async (keyState) => {
      const t = keyAdminHarness();
      const { key } = await t.seed(A, { overrides: { keyState } });
      await expect(t.enable.execute({ ...scope(A), keyId: key.id })).rejects.toMatchObject({
        code: ErrorCodes.INVALID_STATE,
      });
      expect((await t.store.find(A, key.id))?.key.keyState).toBe(keyState);
    },
  );

  it('should answer INVALID_STATE when the key was scheduled for deletion between the check and the write', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    t.lifecycleStore.beforeNextWrite(() => t.store.update(key.id, { keyState: 'PendingDeletion' }));
    await expect(t.enable.execute({ ...scope(A), keyId: key.id })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_STATE,
    });
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('PendingDeletion');
  });

  it('should answer NOT_FOUND when the key is named by an alias', async () => {
    const t = keyAdminHarness();
    await expect(t.enable.execute({ ...scope(A), keyId: 'alias/app' })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: 'Invalid keyId alias/app',
    });
  });

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    await expect(t.enable.execute({ ...scope(B), keyId: key.id })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('Disabled');
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names a key of A by ARN', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    await expect(t.enable.execute({ ...scope(B), keyId: key.arn })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect(t.policyRequests()).toEqual([]);
    expect((await t.store.find(A, key.id))?.key.keyState).toBe('Disabled');
  });
});
