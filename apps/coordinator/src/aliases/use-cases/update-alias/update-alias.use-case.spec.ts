import { ErrorCodes } from '@symbolon/contracts';

import { A, B, aliasArnOf, aliasHarness, scope } from '../../alias-spec.test-helper.js';

async function withAlias() {
  const t = aliasHarness();
  const first = await t.seed(A);
  const second = await t.seed(A);
  await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: first.key.id });
  t.rpc.calls.length = 0;
  return { ...t, first: first.key, second: second.key };
}

describe('UpdateAliasUseCase', () => {
  it('should point the alias at the new key when policy allows both keys', async () => {
    const t = await withAlias();
    expect((await t.resolver.find(A, 'alias/app')).keyId).toBe(t.first.id);
    await t.update.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: t.second.arn });
    expect((await t.resolver.find(A, 'alias/app')).keyId).toBe(t.second.id);
    expect(t.policyRequests().map((r) => r['keyArn'])).toEqual([t.second.arn, t.first.arn]);
    const [row] = t.aliasStore.all();
    expect(row!.updatedAt.getTime()).toBeGreaterThanOrEqual(row!.createdAt.getTime());
  });

  it('should answer NOT_FOUND naming the alias ARN when the alias does not exist', async () => {
    const t = await withAlias();
    await expect(
      t.update.execute({ ...scope(A), aliasName: 'alias/none', targetKeyId: t.second.id }),
    ).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: `Alias ${aliasArnOf(A, 'alias/none')} is not found.`,
    });
  });

  it('should answer NOT_FOUND when tenant B updates an alias name that only A has', async () => {
    const t = await withAlias();
    const b = await t.seed(B);
    await expect(
      t.update.execute({ ...scope(B), aliasName: 'alias/app', targetKeyId: b.key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    expect(t.aliasStore.all()[0]!.targetKeyId).toBe(t.first.id);
  });

  it('should answer INVALID_STATE when the new key is pending deletion', async () => {
    const t = await withAlias();
    const doomed = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(
      t.update.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: doomed.key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_STATE });
  });

  it('should leave the alias as it was when policy denies kms:UpdateAlias', async () => {
    const t = await withAlias();
    t.decide({ effect: 'DENY', reason: 'no' });
    await expect(
      t.update.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: t.second.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
    expect(t.aliasStore.all()[0]!.targetKeyId).toBe(t.first.id);
  });

  it('should answer VALIDATION when the new target is an alias ARN', async () => {
    const t = await withAlias();
    await expect(
      t.update.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: aliasArnOf(A, 'alias/app') }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
  });
});
