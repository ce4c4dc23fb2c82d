import { ErrorCodes, type ListResourceTagsReply } from '@symbolon/contracts';

import { A, B, keyAdminHarness, scope } from '../../key-admin.test-helper.js';

async function tagged(n: number) {
  const t = keyAdminHarness();
  const { key } = await t.seed(A);
  const tags = Array.from({ length: n }, (_, i) => ({
    tagKey: `t${String(i).padStart(2, '0')}`,
    tagValue: `${i}`,
  }));
  await t.tag.execute({ ...scope(A), keyId: key.id, tags });
  return { ...t, key, tags };
}

describe('ListResourceTagsUseCase', () => {
  it('should list the tags by tag key when they fit one page', async () => {
    const t = await tagged(3);
    expect(await t.listTags.execute({ ...scope(A), keyId: t.key.id, limit: 50 })).toEqual({
      keyArn: t.key.arn,
      tags: t.tags,
    });
  });

  it('should walk every tag exactly once when following nextMarker', async () => {
    const t = await tagged(5);
    const pages: ListResourceTagsReply[] = [];
    let marker: string | undefined;
    do {
      const p = await t.listTags.execute({
        ...scope(A),
        keyId: t.key.id,
        limit: 2,
        ...(marker ? { marker } : {}),
      });
      pages.push(p);
      marker = p.nextMarker;
    } while (marker !== undefined && pages.length < 10);
    expect(pages.flatMap((p) => p.tags)).toEqual(t.tags);
  });

  it('should list the tags when the key is pending deletion', async () => {
    const t = await tagged(1);
    t.store.update(t.key.id, { keyState: 'PendingDeletion' });
    t.resolver.forget(A, t.key.id);
    expect((await t.listTags.execute({ ...scope(A), keyId: t.key.id, limit: 50 })).tags).toHaveLength(1);
  });

  it('should answer INVALID_MARKER when the marker was not made by this service', async () => {
    const t = await tagged(1);
    await expect(
      t.listTags.execute({ ...scope(A), keyId: t.key.id, limit: 50, marker: 'bm90LWEtbWFya2Vy' }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_MARKER });
  });

  it('should answer NOT_FOUND when tenant B lists the tags of a key of A by id', async () => {
    const t = await tagged(1);
    await expect(t.listTags.execute({ ...scope(B), keyId: t.key.id, limit: 50 })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });
});
