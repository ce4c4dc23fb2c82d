import { ErrorCodes, type ListAliasesReply } from '@symbolon/contracts';

import { A, B, aliasArnOf, aliasHarness, scope } from '../../alias-spec.test-helper.js';

async function withAliases(names: string[]) {
  const t = aliasHarness();
  const one = await t.seed(A);
  const two = await t.seed(A);
  const b = await t.seed(B);
  for (const [i, name] of names.entries()) {
    const target = i % 2 === 0 ? one.key.id : two.key.id;
    await t.create.execute({ ...scope(A), aliasName: name, targetKeyId: target });
  }
  await t.create.execute({ ...scope(B), aliasName: 'alias/b-only', targetKeyId: b.key.id });
  return { ...t, one: one.key, two: two.key, b: b.key };
}

describe('ListAliasesUseCase', () => {
  it('should list only the caller own aliases by name with ARNs and dates', async () => {
    const t = await withAliases(['alias/zeta', 'alias/alpha']);
    const r = await t.list.execute({ ...scope(A), limit: 50 });
    expect(r.aliases.map((a) => a.aliasName)).toEqual(['alias/alpha', 'alias/zeta']);
    expect(r.aliases[0]).toEqual({
      aliasName: 'alias/alpha',
      aliasArn: aliasArnOf(A, 'alias/alpha'),
      targetKeyId: t.two.id,
      creationDate: expect.stringMatching(/Z$/) as unknown as string,
      lastUpdatedDate: expect.stringMatching(/Z$/) as unknown as string,
    });
    expect(r).not.toHaveProperty('nextMarker');
  });

  it('should list only the aliases of one key after policy allows kms:ListAliases on it', async () => {
    const t = await withAliases(['alias/a', 'alias/b', 'alias/c']);
    t.rpc.calls.length = 0;
    const r = await t.list.execute({ ...scope(A), limit: 50, keyId: t.one.arn });
    expect(r.aliases.map((a) => a.aliasName)).toEqual(['alias/a', 'alias/c']);
    expect(r.keyArn).toBe(t.one.arn);
    expect(t.policyRequests()).toMatchObject([
      { action: 'kms:ListAliases', keyArn: '*' },
      { action: 'kms:ListAliases', keyArn: t.one.arn },
    ]);
  });

  it('should walk every alias exactly once when following nextMarker page by page', async () => {
    const names = ['alias/1', 'alias/2', 'alias/3', 'alias/4', 'alias/5'];
    const t = await withAliases(names);
    const pages: ListAliasesReply[] = [];
    let marker: string | undefined;
    do {
      const p = await t.list.execute({ ...scope(A), limit: 2, ...(marker ? { marker } : {}) });
      pages.push(p);
      marker = p.nextMarker;
    } while (marker !== undefined && pages.length < 10);
    expect(pages.flatMap((p) => p.aliases.map((a) => a.aliasName))).toEqual(names);
    expect(pages.map((p) => p.aliases.length)).toEqual([2, 2, 1]);
  });

  it('should answer ACCESS_DENIED without asking policy about the key when the KeyId is a key ARN of another account', async () => {
    const t = await withAliases(['alias/a']);
    t.rpc.calls.length = 0;
    await expect(t.list.execute({ ...scope(A), limit: 10, keyId: t.b.arn })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect(t.policyRequests()).toMatchObject([{ action: 'kms:ListAliases', keyArn: '*' }]);
  });

  it.each([
    ['not base64url', '!!!'],
    ['without the version prefix', Buffer.from('alias/a').toString('base64url')],
    ['empty', ''],
    ['padded base64', `${Buffer.from('v1:alias/a').toString('base64')}==`],
  ])('should answer INVALID_MARKER when the marker is %s', async (_, marker) => {
    const t = await withAliases(['alias/a']);
    await expect(t.list.execute({ ...scope(A), limit: 10, marker })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_MARKER,
    });
  });
});
