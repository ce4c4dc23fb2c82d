import { ErrorCodes } from '@symbolon/contracts';

import { A, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

async function tagged() {
  const t = keyAdminHarness();
  const { key } = await t.seed(A);
  await t.tag.execute({
    ...scope(A),
    keyId: key.id,
    tags: [
      { tagKey: 'a', tagValue: '1' },
      { tagKey: 'b', tagValue: '2' },
    ],
  });
  return { ...t, key };
}

describe('UntagResourceUseCase', () => {
  it('should remove the named tags and ignore tag keys the key does not carry', async () => {
    const t = await tagged();
    await t.untag.execute({ ...scope(A), keyId: t.key.id, tagKeys: ['a', 'missing'] });
    expect(t.adminStore.tagsOf(t.key.id)).toEqual({ b: '2' });
    expect(t.policyRequests().at(-1)).toMatchObject({ action: 'kms:UntagResource' });
  });

  it('should answer TAG when a tag key is reserved', async () => {
    const t = await tagged();
    await expect(t.untag.execute({ ...scope(A), keyId: t.key.id, tagKeys: ['aws:x'] })).rejects.toMatchObject(
      { code: ErrorCodes.TAG },
    );
  });

  it('should answer INVALID_STATE and keep the tags when the key is pending deletion', async () => {
    const t = await tagged();
    t.store.update(t.key.id, { keyState: 'PendingDeletion' });
    t.resolver.forget(A, t.key.id);
    await expect(t.untag.execute({ ...scope(A), keyId: t.key.id, tagKeys: ['a'] })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_STATE,
    });
    expect(t.adminStore.tagsOf(t.key.id)).toEqual({ a: '1', b: '2' });
  });
});
