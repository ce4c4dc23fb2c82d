import { ErrorCodes } from '@symbolon/contracts';

import { keyHarness } from './key-harness.test-helper.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const aliasArn = (account: string, name: string, region = REGION) =>
  `arn:aws:kms:${region}:${account}:${name}`;

async function setup() {
  const t = keyHarness({ region: REGION, keyCacheTtlMs: 60_000 });
  const { key } = await t.seed(A);
  const now = new Date();
  await t.aliasStore.create({
    tenantId: A,
    aliasName: 'alias/app',
    targetKeyId: key.id,
    createdAt: now,
    updatedAt: now,
  });
  return { ...t, key };
}

describe('KeyResolver (aliases)', () => {
  it('should find the target key when the caller names its own alias by name or by ARN', async () => {
    const t = await setup();
    for (const name of ['alias/app', aliasArn(A, 'alias/app')]) {
      expect(await t.resolver.find(A, name)).toMatchObject({
        accountId: A,
        keyId: t.key.id,
        stored: { key: { arn: t.key.arn } },
      });
    }
  });

  it('should answer NOT_FOUND naming the alias ARN when the alias does not exist', async () => {
    const t = await setup();
    await expect(t.resolver.find(A, 'alias/none')).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: `Alias ${aliasArn(A, 'alias/none')} is not found.`,
    });
  });

  it('should answer NOT_FOUND without reading the alias table when tenant B names the alias ARN of A', async () => {
    const t = await setup();
    t.aliasStore.finds = 0;
    await expect(t.resolver.find(B, aliasArn(A, 'alias/app'))).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: `Alias ${aliasArn(A, 'alias/app')} is not found.`,
    });
    expect(t.aliasStore.finds).toBe(0);
  });

  it('should answer NOT_FOUND when tenant B names an alias that only A has', async () => {
    const t = await setup();
    await expect(t.resolver.find(B, 'alias/app')).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });

  it('should answer NOT_FOUND when the alias ARN names another region', async () => {
    const t = await setup();
    await expect(t.resolver.find(A, aliasArn(A, 'alias/app', 'us-west-2'))).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });

  it('should read the alias once within the cache TTL and again after forgetAlias', async () => {
    const t = await setup();
    t.aliasStore.finds = 0;
    await t.resolver.find(A, 'alias/app');
    await t.resolver.find(A, 'alias/app');
    expect(t.aliasStore.finds).toBe(1);
    t.resolver.forgetAlias(A, 'alias/app');
    await t.resolver.find(A, 'alias/app');
    expect(t.aliasStore.finds).toBe(2);
  });

  it('should find a new alias at once when it was looked up before it existed', async () => {
    const t = await setup();
    await expect(t.resolver.find(A, 'alias/later')).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    const now = new Date();
    await t.aliasStore.create({
      tenantId: A,
      aliasName: 'alias/later',
      targetKeyId: t.key.id,
      createdAt: now,
      updatedAt: now,
    });
    expect((await t.resolver.find(A, 'alias/later')).keyId).toBe(t.key.id);
  });

  it('should answer NOT_FOUND for the key when the alias names a key that no longer exists', async () => {
    const t = keyHarness({ region: REGION });
    const now = new Date();
    const gone = '0b8e2a3c-1111-4222-8333-944455556666';
    await t.aliasStore.create({
      tenantId: A,
      aliasName: 'alias/dangling',
      targetKeyId: gone,
      createdAt: now,
      updatedAt: now,
    });
    await expect(t.resolver.find(A, 'alias/dangling')).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      message: `Key 'arn:aws:kms:${REGION}:${A}:key/${gone}' does not exist`,
    });
  });
});
