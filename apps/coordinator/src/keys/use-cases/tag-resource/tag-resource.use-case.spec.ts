import { ErrorCodes } from '@symbolon/contracts';

import { A, B, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

const tags = (n: number, prefix = 'k') =>
  Array.from({ length: n }, (_, i) => ({ tagKey: `${prefix}${i}`, tagValue: `v${i}` }));

describe('TagResourceUseCase', () => {
  it('should add tags and overwrite the value of an existing tag key', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: [{ tagKey: 'team', tagValue: 'a' }] });
    await t.tag.execute({
      ...scope(A),
      keyId: key.arn,
      tags: [
        { tagKey: 'team', tagValue: 'b' },
        { tagKey: 'empty', tagValue: '' },
      ],
    });
    expect(t.adminStore.tagsOf(key.id)).toEqual({ team: 'b', empty: '' });
    expect(t.policyRequests().map((r) => r['action'])).toEqual(['kms:TagResource', 'kms:TagResource']);
  });

  it('should accept the 50th tag and refuse the 51st with TAG', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(49) });
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(1, 'x') });
    await expect(t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(1, 'y') })).rejects.toMatchObject({
      code: ErrorCodes.TAG,
    });
    expect(Object.keys(t.adminStore.tagsOf(key.id))).toHaveLength(50);
  });

  it('should overwrite a tag when the key already carries 50 tags', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(50) });
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: [{ tagKey: 'k0', tagValue: 'new' }] });
    expect(t.adminStore.tagsOf(key.id)['k0']).toBe('new');
  });

  it.each(['aws:owner', 'AWS:owner', 'Aws:x'])(
    'should answer TAG and write nothing when a tag key is the reserved %s',
    async (tagKey) => {
      const t = keyAdminHarness();
      const { key } = await t.seed(A);
      await expect(
        t.tag.execute({
          ...scope(A),
          keyId: key.id,
          tags: [
            { tagKey: 'ok', tagValue: '' },
            { tagKey, tagValue: 'v' },
          ],
        }),
      ).rejects.toMatchObject({ code: ErrorCodes.TAG });
      expect(t.adminStore.tagsOf(key.id)).toEqual({});
    },
  );

  it('should answer TAG when one tag key appears twice in the request', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    await expect(
      t.tag.execute({
        ...scope(A),
        keyId: key.id,
        tags: [
          { tagKey: 'a', tagValue: '1' },
          { tagKey: 'a', tagValue: '2' },
        ],
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.TAG });
  });

  it('should answer INVALID_STATE when the key is pending deletion', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(1) })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_STATE,
    });
  });

  it('should tag the key when it is disabled', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    await t.tag.execute({ ...scope(A), keyId: key.id, tags: tags(1) });
    expect(t.adminStore.tagsOf(key.id)).toEqual({ k0: 'v0' });
  });

  it('should answer NOT_FOUND and tag nothing when tenant B names a key of A by id', async () => {
    const t = keyAdminHarness();
    const { key } = await t.seed(A);
    await expect(t.tag.execute({ ...scope(B), keyId: key.id, tags: tags(1) })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    expect(t.adminStore.tagsOf(key.id)).toEqual({});
  });
});
