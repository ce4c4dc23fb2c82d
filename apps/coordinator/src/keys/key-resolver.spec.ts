import { ErrorCodes, KmsError, type TenantScopedRequest } from '@symbolon/contracts';

import { keyHarness } from './key-harness.test-helper.js';
import { keyArn } from './key-id.js';
import { KeyResolver } from './key-resolver.js';
import type { StoredKey } from './key.repository.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const MISSING = '0b8e2a3c-1111-4222-8333-944455556666';
const scope = (tenantId: string): TenantScopedRequest => ({
  requestId: 'req-1',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

function setup(ttlMs = 60_000) {
  return keyHarness({ region: REGION, keyCacheTtlMs: ttlMs });
}

async function kmsError(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyResolver', () => {
  describe('find', () => {
    it('should find the caller own key when named by id or by ARN', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      expect((await t.resolver.find(A, key.id)).stored?.key.id).toBe(key.id);
      expect(await t.resolver.find(A, key.arn)).toMatchObject({
        accountId: A,
        keyId: key.id,
        stored: { key: { arn: key.arn } },
      });
    });

    it('should answer NOT_FOUND naming the ARN when the caller own key does not exist', async () => {
      const t = setup();
      const e = await kmsError(t.resolver.find(A, MISSING));
      expect(e.code).toBe(ErrorCodes.NOT_FOUND);
      expect(e.message).toBe(`Key '${keyArn(REGION, A, MISSING)}' does not exist`);
    });

    it('should answer NOT_FOUND when tenant B names a key of tenant A by id', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.resolver.find(A, key.id); // now cached for A
      const e = await kmsError(t.resolver.find(B, key.id));
      expect(e.code).toBe(ErrorCodes.NOT_FOUND);
      expect(e.message).toBe(`Key '${keyArn(REGION, B, key.id)}' does not exist`);
    });

    it('should answer NOT_FOUND when the caller own ARN names another region', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      expect((await kmsError(t.resolver.find(A, keyArn('us-west-2', A, key.id)))).code).toBe(
        ErrorCodes.NOT_FOUND,
      );
    });

    it('should answer NOT_FOUND without reading the store when a foreign ARN names another region', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      const arn = keyArn('us-west-2', A, key.id);
      const e = await kmsError(t.resolver.find(B, arn));
      expect(e.code).toBe(ErrorCodes.NOT_FOUND);
      expect(e.message).toBe(`Key '${arn}' does not exist`);
      expect(t.store.finds).toBe(0);
    });

    it('should answer NOT_FOUND when the key is named by an alias', async () => {
      const t = setup();
      expect((await kmsError(t.resolver.find(A, 'alias/app'))).code).toBe(ErrorCodes.NOT_FOUND);
    });

    it('should answer NOT_FOUND when the ARN is malformed', async () => {
      const t = setup();
      expect((await kmsError(t.resolver.find(A, 'arn:aws:kms:eu-west-1:123:key/x'))).code).toBe(
        ErrorCodes.NOT_FOUND,
      );
    });

    it('should answer no stored key but no error when a foreign ARN names a key that does not exist', async () => {
      const t = setup();
      expect(await t.resolver.find(B, keyArn(REGION, A, MISSING))).toEqual({
        stored: undefined,
        accountId: A,
        keyId: MISSING,
      });
    });
  });

  describe('authorize', () => {
    it('should ask policy with the action, key ARN, key account and context when the key exists', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      const r = await t.resolver.authorize(scope(A), key.id, 'kms:Encrypt', {
        encryptionContext: { purpose: 'test' },
      });
      expect(r.decision).toEqual({ effect: 'ALLOW', reason: 'test: allowed' });
      expect(t.policyRequests()).toEqual([
        {
          ...scope(A),
          action: 'kms:Encrypt',
          keyArn: key.arn,
          keyAccountId: A,
          encryptionContext: { purpose: 'test' },
        },
      ]);
    });

    it('should leave encryptionContext out of the policy request when none is given', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      await t.resolver.authorize(scope(A), key.id, 'kms:DescribeKey');
      expect(t.policyRequests()[0]).not.toHaveProperty('encryptionContext');
    });

    it('should answer ACCESS_DENIED carrying effect and reason when policy denies', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      t.decide({ effect: 'DENY', reason: 'explicit deny in key policy' });
      const e = await kmsError(t.resolver.authorize(scope(A), key.id, 'kms:Encrypt'));
      expect(e.code).toBe(ErrorCodes.ACCESS_DENIED);
      expect(e.details).toEqual({ effect: 'DENY', reason: 'explicit deny in key policy' });
      expect(e.message).toContain(`not authorized to perform: kms:Encrypt on resource: ${key.arn}`);
    });

    it('should answer ACCESS_DENIED with the policy decision when tenant B names a key of A by ARN without a grant', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      t.decide({ effect: 'DENY', reason: 'implicit deny: no statement allows the principal' });
      const e = await kmsError(t.resolver.authorize(scope(B), key.arn, 'kms:Encrypt'));
      expect(e.code).toBe(ErrorCodes.ACCESS_DENIED);
      expect(e.details).toEqual({
        effect: 'DENY',
        reason: 'implicit deny: no statement allows the principal',
      });
      expect(t.policyRequests()[0]).toMatchObject({ tenantId: B, keyAccountId: A, keyArn: key.arn });
    });

    it('should answer ACCESS_DENIED without asking policy when a foreign ARN names a missing key', async () => {
      const t = setup();
      const arn = keyArn(REGION, A, MISSING);
      const e = await kmsError(t.resolver.authorize(scope(B), arn, 'kms:Decrypt'));
      expect(e.code).toBe(ErrorCodes.ACCESS_DENIED);
      expect(e.details).toEqual({ effect: 'DENY', reason: 'implicit deny: no such key visible' });
      expect(e.message).toContain(arn);
      expect(t.policyRequests()).toEqual([]);
    });

    it('should let tenant B use a key of A when policy grants it by ARN', async () => {
      const t = setup();
      const { key } = await t.seed(A);
      const r = await t.resolver.authorize(scope(B), key.arn, 'kms:Encrypt');
      expect(r.key.id).toBe(key.id);
    });

    it('should not ask policy when the caller own key is missing', async () => {
      const t = setup();
      await kmsError(t.resolver.authorize(scope(A), MISSING, 'kms:Encrypt'));
      expect(t.policyRequests()).toEqual([]);
    });
  });

  describe('requireEnabled', () => {
    const stored = (keyState: StoredKey['key']['keyState']): StoredKey => ({
      key: { ...({} as StoredKey['key']), arn: keyArn(REGION, A, MISSING), keyState },
      versions: new Map(),
    });

    it('should pass when the key is Enabled', () => {
      expect(() => KeyResolver.requireEnabled(stored('Enabled'))).not.toThrow();
    });

    it('should throw DISABLED when the key is Disabled', () => {
      expect(() => KeyResolver.requireEnabled(stored('Disabled'))).toThrow(
        expect.objectContaining({
          code: ErrorCodes.DISABLED,
          message: `${keyArn(REGION, A, MISSING)} is disabled.`,
        }),
      );
    });

    it('should throw INVALID_STATE naming pending deletion when the key is PendingDeletion', () => {
      expect(() => KeyResolver.requireEnabled(stored('PendingDeletion'))).toThrow(
        expect.objectContaining({
          code: ErrorCodes.INVALID_STATE,
          message: `${keyArn(REGION, A, MISSING)} is pending deletion.`,
        }),
      );
    });

    it.each(['PendingImport', 'Unavailable'] as const)(
      'should throw INVALID_STATE when the key is %s',
      (state) => {
        expect(() => KeyResolver.requireEnabled(stored(state))).toThrow(
          expect.objectContaining({ code: ErrorCodes.INVALID_STATE }),
        );
      },
    );
  });

  describe('cache', () => {
    it('should answer from the cache when the key is asked for again within the TTL', async () => {
      const t = setup(60_000);
      const { key } = await t.seed(A);
      await t.resolver.find(A, key.id);
      t.store.update(key.id, { keyState: 'Disabled' });
      const again = await t.resolver.find(A, key.arn);
      expect(again.stored?.key.keyState).toBe('Enabled');
      expect(t.store.finds).toBe(1);
    });

    it('should see a change in the repository when the TTL has passed', async () => {
      const t = setup(25);
      const { key } = await t.seed(A);
      await t.resolver.find(A, key.id);
      t.store.update(key.id, { keyState: 'Disabled' });
      await sleep(60);
      expect((await t.resolver.find(A, key.id)).stored?.key.keyState).toBe('Disabled');
      expect(t.store.finds).toBe(2);
    });

    it('should not cache a miss when the key is created after the first lookup', async () => {
      const t = setup(60_000);
      const id = '7d9e2a3c-1111-4222-8333-944455556666';
      await kmsError(t.resolver.find(A, id));
      await t.seed(A, { overrides: { id } });
      expect((await t.resolver.find(A, id)).stored?.key.id).toBe(id);
    });

    it('should answer a remembered key without reading the repository when it was just created', async () => {
      const t = setup(60_000);
      const { key, versions } = await t.seed(A);
      t.resolver.remember({ key, versions: new Map(versions.map((v) => [v.version, v])) });
      expect((await t.resolver.find(A, key.id)).stored?.key.id).toBe(key.id);
      expect(t.store.finds).toBe(0);
    });
  });
});
