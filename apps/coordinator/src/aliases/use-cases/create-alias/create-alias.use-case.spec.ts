import { ErrorCodes } from '@symbolon/contracts';

import { A, B, aliasArnOf, aliasHarness, scope } from '../../alias-spec.test-helper.js';

describe('CreateAliasUseCase', () => {
  it('should create the alias and answer the target key ARN when the caller names its own key', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    expect(await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.arn })).toEqual({
      keyArn: key.arn,
    });
    expect(t.aliasStore.all()).toMatchObject([{ tenantId: A, aliasName: 'alias/app', targetKeyId: key.id }]);
    expect(t.policyRequests()).toEqual([
      { ...scope(A), action: 'kms:CreateAlias', keyArn: key.arn, keyAccountId: A },
    ]);
  });

  it('should answer ALREADY_EXISTS naming the alias ARN when the name is taken in the account', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id });
    await expect(
      t.create.execute({ ...scope(A), aliasName: 'alias/app', targetKeyId: key.id }),
    ).rejects.toMatchObject({
      code: ErrorCodes.ALREADY_EXISTS,
      message: `An alias with the name ${aliasArnOf(A, 'alias/app')} already exists`,
    });
  });

  it('should answer ALREADY_EXISTS when a concurrent request inserted the name first', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        t.create.execute({ ...scope(A), aliasName: 'alias/race', targetKeyId: key.id }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCodes.ALREADY_EXISTS });
    }
  });

  it('should let two tenants use the same alias name when each names its own key', async () => {
    const t = aliasHarness();
    const a = await t.seed(A);
    const b = await t.seed(B);
    await t.create.execute({ ...scope(A), aliasName: 'alias/shared', targetKeyId: a.key.id });
    await t.create.execute({ ...scope(B), aliasName: 'alias/shared', targetKeyId: b.key.id });
    expect(
      t.aliasStore
        .all()
        .map((x) => x.targetKeyId)
        .sort(),
    ).toEqual([a.key.id, b.key.id].sort());
  });

  it('should answer VALIDATION when the target is itself an alias', async () => {
    const t = aliasHarness();
    await expect(
      t.create.execute({ ...scope(A), aliasName: 'alias/x', targetKeyId: 'alias/other' }),
    ).rejects.toMatchObject({
      code: ErrorCodes.VALIDATION,
      message: 'Aliases must refer to keys. Not aliases',
    });
  });

  it('should answer ACCESS_DENIED when the name is under the reserved alias/aws/ prefix', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await expect(
      t.create.execute({ ...scope(A), aliasName: 'alias/aws/s3', targetKeyId: key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
    expect(t.aliasStore.all()).toEqual([]);
  });

  it('should answer INVALID_STATE when the target key is pending deletion', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(
      t.create.execute({ ...scope(A), aliasName: 'alias/x', targetKeyId: key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_STATE });
  });

  it('should create the alias when the target key is disabled', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    await t.create.execute({ ...scope(A), aliasName: 'alias/x', targetKeyId: key.id });
    expect(t.aliasStore.all()).toHaveLength(1);
  });

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await expect(
      t.create.execute({ ...scope(B), aliasName: 'alias/x', targetKeyId: key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    expect(t.aliasStore.all()).toEqual([]);
  });

  it('should answer ACCESS_DENIED without asking policy when tenant B names a key of A by ARN', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    await expect(
      t.create.execute({ ...scope(B), aliasName: 'alias/x', targetKeyId: key.arn }),
    ).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
    expect(t.policyRequests()).toEqual([]);
    expect(t.aliasStore.all()).toEqual([]);
  });

  it('should answer ACCESS_DENIED and create nothing when policy denies kms:CreateAlias', async () => {
    const t = aliasHarness();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'explicit deny' });
    await expect(
      t.create.execute({ ...scope(A), aliasName: 'alias/x', targetKeyId: key.id }),
    ).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED, details: { effect: 'DENY' } });
    expect(t.aliasStore.all()).toEqual([]);
  });
});
