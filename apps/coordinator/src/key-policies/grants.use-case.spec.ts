import { ErrorCodes, type GrantDto, Subjects, grantToken } from '@symbolon/contracts';

import { keyHarness } from '../keys/key-harness.test-helper.js';
import { GrantsUseCase } from './grants.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-grants',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const GRANT_ID = 'c'.repeat(64);
const TOKEN = grantToken(GRANT_ID, 'nonce-0123456789ab');
const GRANTEE = `arn:aws:iam::${B}:role/app`;

function grantOf(keyArn: string): GrantDto {
  return {
    keyArn,
    grantId: GRANT_ID,
    creationDate: '2024-01-02T03:04:05.000Z',
    granteePrincipal: GRANTEE,
    issuingAccount: A,
    operations: ['Decrypt'],
  };
}

async function setup() {
  const h = keyHarness({ region: REGION });
  const { key } = await h.seed(A);
  const { key: other } = await h.seed(B);
  h.rpc
    .reply(Subjects.policy.createGrant, { grantId: GRANT_ID, grantToken: TOKEN })
    .reply(Subjects.policy.listGrants, { grants: [grantOf(key.arn)], nextMarker: 'd'.repeat(64) })
    .reply(Subjects.policy.listRetirableGrants, { grants: [grantOf(key.arn)] })
    .reply(Subjects.policy.retireGrant, {})
    .reply(Subjects.policy.revokeGrant, {});
  return { ...h, key, other, useCase: new GrantsUseCase(h.resolver, h.policy, h.rpcClient) };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const sent = (t: Setup, subject: string) => t.rpc.to(subject).map((c) => c.payload);
const policyServiceCalls = (t: Setup) => t.rpc.calls.filter((c) => c.subject !== Subjects.policy.evaluate);

/** The key-named grant operations, each called by `tenantId` on the key named `keyId`. */
const keyed: [string, string, string, (t: Setup, tenantId: string, keyId: string) => Promise<unknown>][] = [
  [
    'create',
    'kms:CreateGrant',
    Subjects.policy.createGrant,
    (t, tenantId, keyId) =>
      t.useCase.create({ ...scope(tenantId), keyId, granteePrincipal: GRANTEE, operations: ['Decrypt'] }),
  ],
  [
    'list',
    'kms:ListGrants',
    Subjects.policy.listGrants,
    (t, tenantId, keyId) => t.useCase.list({ ...scope(tenantId), keyId, limit: 50 }),
  ],
  [
    'revoke',
    'kms:RevokeGrant',
    Subjects.policy.revokeGrant,
    (t, tenantId, keyId) => t.useCase.revoke({ ...scope(tenantId), keyId, grantId: GRANT_ID }),
  ],
];

describe('GrantsUseCase', () => {
  describe('create', () => {
    it('should ask policy for kms:CreateGrant with the grant operations on the key ARN when creating', async () => {
      const t = await setup();
      await t.useCase.create({
        ...scope(A),
        keyId: t.key.id,
        granteePrincipal: GRANTEE,
        operations: ['Encrypt', 'Decrypt'],
      });
      expect(t.policyRequests()).toEqual([
        {
          ...scope(A),
          action: 'kms:CreateGrant',
          keyArn: t.key.arn,
          keyAccountId: A,
          grantOperations: ['Encrypt', 'Decrypt'],
        },
      ]);
    });

    it('should forward every member with the key ARN and account and answer the grant with the key ARN', async () => {
      const t = await setup();
      const r = await t.useCase.create({
        ...scope(A),
        keyId: t.key.arn,
        granteePrincipal: GRANTEE,
        retiringPrincipal: `arn:aws:iam::${A}:user/ops`,
        operations: ['Decrypt', 'RetireGrant'],
        constraints: { encryptionContextSubset: { env: 'prod' } },
        name: 'batch',
      });
      expect(r).toEqual({ grantId: GRANT_ID, grantToken: TOKEN, keyArn: t.key.arn });
      expect(sent(t, Subjects.policy.createGrant)).toEqual([
        {
          ...scope(A),
          keyArn: t.key.arn,
          keyAccountId: A,
          granteePrincipal: GRANTEE,
          retiringPrincipal: `arn:aws:iam::${A}:user/ops`,
          operations: ['Decrypt', 'RetireGrant'],
          constraints: { encryptionContextSubset: { env: 'prod' } },
          name: 'batch',
        },
      ]);
    });

    it('should forward no optional members when the request has none', async () => {
      const t = await setup();
      await t.useCase.create({
        ...scope(A),
        keyId: t.key.id,
        granteePrincipal: GRANTEE,
        operations: ['Decrypt'],
      });
      expect(sent(t, Subjects.policy.createGrant)).toEqual([
        {
          ...scope(A),
          keyArn: t.key.arn,
          keyAccountId: A,
          granteePrincipal: GRANTEE,
          operations: ['Decrypt'],
        },
      ]);
    });

    it('should answer INVALID_STATE without calling the policy service when the key is pending deletion', async () => {
      const t = await setup();
      const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
      await expect(
        t.useCase.create({ ...scope(A), keyId: key.id, granteePrincipal: GRANTEE, operations: ['Decrypt'] }),
      ).rejects.toMatchObject({ code: ErrorCodes.INVALID_STATE });
      expect(t.policyRequests().map((r) => r['action'])).toEqual(['kms:CreateGrant']);
      expect(policyServiceCalls(t)).toEqual([]);
    });

    it('should create the grant when the key is disabled', async () => {
      const t = await setup();
      const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
      const r = await t.useCase.create({
        ...scope(A),
        keyId: key.id,
        granteePrincipal: GRANTEE,
        operations: ['Decrypt'],
      });
      expect(r.keyArn).toBe(key.arn);
    });
  });

  describe('list', () => {
    it('should forward the limit, marker and filters with the key ARN and answer the grants with it', async () => {
      const t = await setup();
      const r = await t.useCase.list({
        ...scope(A),
        keyId: t.key.id,
        limit: 10,
        marker: 'e'.repeat(64),
        grantId: GRANT_ID,
        granteePrincipal: GRANTEE,
      });
      expect(r).toEqual({ grants: [grantOf(t.key.arn)], nextMarker: 'd'.repeat(64), keyArn: t.key.arn });
      expect(sent(t, Subjects.policy.listGrants)).toEqual([
        {
          ...scope(A),
          keyArn: t.key.arn,
          keyAccountId: A,
          limit: 10,
          marker: 'e'.repeat(64),
          grantId: GRANT_ID,
          granteePrincipal: GRANTEE,
        },
      ]);
    });

    it('should forward only the limit when no marker or filter is given', async () => {
      const t = await setup();
      await t.useCase.list({ ...scope(A), keyId: t.key.id, limit: 50 });
      expect(sent(t, Subjects.policy.listGrants)).toEqual([
        { ...scope(A), keyArn: t.key.arn, keyAccountId: A, limit: 50 },
      ]);
    });
  });

  describe('keyed operations', () => {
    it.each(keyed)(
      'should ask policy for the action on the key ARN when %s names an own key',
      async (_, action, subject, call) => {
        const t = await setup();
        await call(t, A, t.key.id);
        expect(t.policyRequests()).toEqual([
          expect.objectContaining({ ...scope(A), action, keyArn: t.key.arn, keyAccountId: A }),
        ]);
        expect(sent(t, subject)).toEqual([expect.objectContaining({ keyArn: t.key.arn, keyAccountId: A })]);
      },
    );

    it.each(keyed)(
      'should ask policy and forward the key account when %s names a key ARN of another account',
      async (_, action, subject, call) => {
        const t = await setup();
        await call(t, A, t.other.arn);
        expect(t.policyRequests()).toEqual([
          expect.objectContaining({ ...scope(A), action, keyArn: t.other.arn, keyAccountId: B }),
        ]);
        expect(sent(t, subject)).toEqual([
          expect.objectContaining({ tenantId: A, keyArn: t.other.arn, keyAccountId: B }),
        ]);
      },
    );

    it.each(keyed)(
      'should answer ACCESS_DENIED without asking policy when %s names a missing key ARN of another account',
      async (_, __, ___, call) => {
        const t = await setup();
        const missing = `arn:aws:kms:${REGION}:${B}:key/00000000-0000-4000-8000-000000000000`;
        await expect(call(t, A, missing)).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
        expect(t.rpc.calls).toEqual([]);
      },
    );

    it.each(keyed)(
      'should answer NOT_FOUND without asking policy when %s names a key id of another account',
      async (_, __, ___, call) => {
        const t = await setup();
        await expect(call(t, A, t.other.id)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
        expect(t.rpc.calls).toEqual([]);
      },
    );

    it.each(keyed)(
      'should answer ACCESS_DENIED carrying the decision without calling the policy service when policy denies %s',
      async (_, __, ___, call) => {
        const t = await setup();
        t.decide({ effect: 'DENY', reason: 'implicit deny: no statement allows' });
        await expect(call(t, A, t.other.arn)).rejects.toMatchObject({
          code: ErrorCodes.ACCESS_DENIED,
          details: { effect: 'DENY', reason: 'implicit deny: no statement allows' },
        });
        expect(policyServiceCalls(t)).toEqual([]);
      },
    );
  });

  describe('listRetirable', () => {
    it("should ask policy for kms:ListRetirableGrants on '*' of the caller's account and forward the request", async () => {
      const t = await setup();
      const req = { ...scope(A), retiringPrincipal: `arn:aws:iam::${A}:user/ops`, limit: 5, marker: 'm' };
      const r = await t.useCase.listRetirable(req);
      expect(r).toEqual({ grants: [grantOf(t.key.arn)] });
      expect(t.policyRequests()).toEqual([
        { ...scope(A), action: 'kms:ListRetirableGrants', keyArn: '*', keyAccountId: A },
      ]);
      expect(sent(t, Subjects.policy.listRetirableGrants)).toEqual([req]);
    });

    it('should answer ACCESS_DENIED carrying the decision without calling the policy service when policy denies', async () => {
      const t = await setup();
      t.decide({ effect: 'DENY', reason: 'explicit deny in identity policy: no listing' });
      await expect(
        t.useCase.listRetirable({ ...scope(A), retiringPrincipal: `arn:aws:iam::${A}:user/ops`, limit: 50 }),
      ).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
        message: expect.stringContaining('kms:ListRetirableGrants on resource: *'),
        details: { effect: 'DENY', reason: 'explicit deny in identity policy: no listing' },
      });
      expect(policyServiceCalls(t)).toEqual([]);
    });
  });

  describe('retire', () => {
    it('should forward only the token without asking policy when a grant token is given', async () => {
      const t = await setup();
      const r = await t.useCase.retire({ ...scope(A), grantToken: TOKEN });
      expect(r).toEqual({});
      expect(t.rpc.calls).toEqual([
        { subject: Subjects.policy.retireGrant, payload: { ...scope(A), grantToken: TOKEN } },
      ]);
    });

    it.each([
      ['not of this service', 'not-a-token'],
      ['naming a 63-digit grant id', `sgt1.${'c'.repeat(63)}.nonce-0123456789ab`],
      ['with a short nonce', `sgt1.${GRANT_ID}.short`],
    ])('should answer INVALID_GRANT_TOKEN without any rpc call when the token is %s', async (_, token) => {
      const t = await setup();
      await expect(t.useCase.retire({ ...scope(A), grantToken: token })).rejects.toMatchObject({
        code: ErrorCodes.INVALID_GRANT_TOKEN,
      });
      expect(t.rpc.calls).toEqual([]);
    });

    it('should forward the key ARN and grant id and answer the key ARN when the key is named by id', async () => {
      const t = await setup();
      const r = await t.useCase.retire({ ...scope(A), keyId: t.key.id, grantId: GRANT_ID });
      expect(r).toEqual({ keyArn: t.key.arn });
      expect(t.rpc.calls).toEqual([
        {
          subject: Subjects.policy.retireGrant,
          payload: { ...scope(A), keyArn: t.key.arn, grantId: GRANT_ID },
        },
      ]);
    });

    it('should forward the key ARN of another account when that key exists', async () => {
      const t = await setup();
      const r = await t.useCase.retire({ ...scope(A), keyId: t.other.arn, grantId: GRANT_ID });
      expect(r).toEqual({ keyArn: t.other.arn });
      expect(sent(t, Subjects.policy.retireGrant)).toEqual([
        { ...scope(A), keyArn: t.other.arn, grantId: GRANT_ID },
      ]);
    });

    it('should answer NOT_FOUND without any rpc call when a key ARN of another account does not exist', async () => {
      const t = await setup();
      const missing = `arn:aws:kms:${REGION}:${B}:key/00000000-0000-4000-8000-000000000000`;
      await expect(
        t.useCase.retire({ ...scope(A), keyId: missing, grantId: GRANT_ID }),
      ).rejects.toMatchObject({
        code: ErrorCodes.NOT_FOUND,
        message: `Grant ID ${GRANT_ID} not found`,
      });
      expect(t.rpc.calls).toEqual([]);
    });

    it.each([
      ['neither a token nor a key and grant id', {}],
      ['only a key id', { keyId: 'k' }],
      ['only a grant id', { grantId: GRANT_ID }],
    ])('should answer VALIDATION without any rpc call when the request has %s', async (_, members) => {
      const t = await setup();
      await expect(t.useCase.retire({ ...scope(A), ...members })).rejects.toMatchObject({
        code: ErrorCodes.VALIDATION,
      });
      expect(t.rpc.calls).toEqual([]);
    });
  });

  describe('revoke', () => {
    it('should forward the key ARN, account and grant id and answer the key ARN when revoking', async () => {
      const t = await setup();
      const r = await t.useCase.revoke({ ...scope(A), keyId: t.key.arn, grantId: GRANT_ID });
      expect(r).toEqual({ keyArn: t.key.arn });
      expect(sent(t, Subjects.policy.revokeGrant)).toEqual([
        { ...scope(A), keyArn: t.key.arn, keyAccountId: A, grantId: GRANT_ID },
      ]);
    });
  });
});

describe('GrantsUseCase, key identifiers', () => {
  it.each([['alias/app'], ['arn:aws:kms:eu-west-1:111111111111:alias/app']])(
    'should answer NOT_FOUND without asking policy when a grant operation names the key by %s',
    async (alias) => {
      const h = keyHarness({ region: 'eu-west-1' });
      const grants = new GrantsUseCase(h.resolver, h.policy, h.rpcClient);
      const scope = {
        requestId: 'r',
        tenantId: '111111111111',
        principal: 'arn:aws:iam::111111111111:user/admin',
      };
      for (const call of [
        () =>
          grants.create({
            ...scope,
            keyId: alias,
            granteePrincipal: scope.principal,
            operations: ['Decrypt'],
          }),
        () => grants.list({ ...scope, keyId: alias, limit: 10 }),
        () => grants.revoke({ ...scope, keyId: alias, grantId: 'a'.repeat(64) }),
        () => grants.retire({ ...scope, keyId: alias, grantId: 'a'.repeat(64) }),
      ]) {
        await expect(call()).rejects.toMatchObject({
          code: ErrorCodes.NOT_FOUND,
          message: `Invalid keyId ${alias}`,
        });
      }
      expect(h.rpc.calls).toEqual([]);
    },
  );
});
