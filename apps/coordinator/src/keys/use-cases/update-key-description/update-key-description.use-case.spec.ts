import { ErrorCodes } from '@symbolon/contracts';

import { A, B, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

describe('UpdateKeyDescriptionUseCase', () => {
  it.each(['Enabled', 'Disabled'] as const)(
    'should replace the description when the key is %s',
    async (keyState) => {
      const t = keyAdminHarness();
      const { key } = await t.seed(A, { overrides: { keyState, description: 'old' } });
      await t.resolver.find(A, key.id);
      await t.describe.execute({ ...scope(A), keyId: key.id, description: 'new' });
      expect((await t.resolver.find(A, key.id)).stored?.key.description).toBe('new');
      expect(t.policyRequests()).toMatchObject([{ action: 'kms:UpdateKeyDescription' }]);
    },
  );

  it('should clear the description when it is empty', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { description: 'old' } });
    await t.describe.execute({ ...scope(A), keyId: key.id, description: '' });
    expect((await t.store.find(A, key.id))?.key.description).toBe('');
  });

  it('should answer INVALID_STATE when the key is pending deletion', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion', description: 'old' } });
    await expect(
      t.describe.execute({ ...scope(A), keyId: key.id, description: 'new' }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_STATE });
    expect((await t.store.find(A, key.id))?.key.description).toBe('old');
  });

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { description: 'old' } });
    await expect(
      t.describe.execute({ ...scope(B), keyId: key.id, description: 'mine' }),
    ).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    expect((await t.store.find(A, key.id))?.key.description).toBe('old');
  });
});
