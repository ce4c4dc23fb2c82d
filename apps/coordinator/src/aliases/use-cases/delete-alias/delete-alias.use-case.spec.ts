import { ErrorCodes } from '@symbolon/contracts';

import { A, B, aliasHarness, scope } from '../../alias-spec.test-helper.js';

describe('DeleteAliasUseCase', () => {
  it('should delete the alias so that it no longer resolves when policy allows kms:DeleteAlias', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id });
    await t.resolver.find(A, 'alias/app'); // cached now
    expect(await t.remove.execute({ ...scope(A), aliasName: 'alias/app' })).toEqual({ keyArn: key.arn });
    await expect(t.resolver.find(A, 'alias/app')).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    expect(t.policyRequests().at(-1)).toMatchObject({ action: 'kms:DeleteAlias', keyArn: key.arn });
  });

  it('should delete the alias when its key is pending deletion', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id });
    t.store.update(key.id, { keyState: 'PendingDeletion' });
    await t.remove.execute({ ...scope(A), aliasName: 'alias/app' });
    expect(t.aliasStore.all()).toEqual([]);
  });

  it('should answer NOT_FOUND when tenant B deletes an alias name that only A has', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id });
    await expect(t.remove.execute({ ...scope(B), aliasName: 'alias/app' })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    expect(t.aliasStore.all()).toHaveLength(1);
  });

  it('should keep the alias when policy denies kms:DeleteAlias', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id });
    t.decide({ effect: 'DENY', reason: 'no' });
    await expect(t.remove.execute({ ...scope(A), aliasName: 'alias/app' })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect(t.aliasStore.all()).toHaveLength(1);
  });
});
