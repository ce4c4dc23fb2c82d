import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { policyEntities, policyMigrations } from './app.module.js';
import { EvaluatePolicyUseCase } from './evaluation/evaluate-policy.use-case.js';
import { GrantsUseCase } from './grants/grants.use-case.js';
import { IdentityPoliciesUseCase } from './identity/identity-policies.use-case.js';
import { KeyPoliciesUseCase, LOCKOUT_MESSAGE } from './key-policies/key-policies.use-case.js';
import { CompiledPolicies } from './store/compiled-policies.js';
import { defaultKeyPolicy } from './store/default-key-policy.js';
import { PolicyChanges } from './store/policy-changes.js';
import { PolicyRepository } from './store/policy.repository.js';

/** The policy service's use cases on a real SQLite database in memory, notices recorded instead of published. */
const A = '111111111111';
const B = '222222222222';
const KEY = `arn:aws:kms:us-east-1:${A}:key/0b4a1f3e-1111-4222-8333-944444444444`;
const ALICE = `arn:aws:iam::${A}:user/alice`;
const BOB = `arn:aws:iam::${B}:user/bob`;
const FULL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
});
const scope = (principal: string) => ({
  requestId: 'r',
  tenantId: /::(\d{12}):/.exec(principal)![1]!,
  principal,
});

let ds: DataSource;
let notices: object[];
let evaluate: EvaluatePolicyUseCase;
let keyPolicies: KeyPoliciesUseCase;
let identity: IdentityPoliciesUseCase;
let grants: GrantsUseCase;

beforeEach(async () => {
  ds = await openDataSource(
    { type: 'sqlite', path: ':memory:', schema: 'policy', migrate: true },
    policyEntities,
    policyMigrations,
  );
  notices = [];
  const repo = new PolicyRepository(ds);
  const compiled = new CompiledPolicies(repo);
  const changes = new PolicyChanges(compiled, {
    publish: async (_subject: string, payload: object) => {
      notices.push(payload);
    },
  });
  evaluate = new EvaluatePolicyUseCase(compiled, { SYMBOLON_POLICY_DECISION_TTL_MS: 5000 });
  keyPolicies = new KeyPoliciesUseCase(repo, changes, evaluate);
  identity = new IdentityPoliciesUseCase(repo, changes);
  grants = new GrantsUseCase(repo, changes);
});

afterEach(async () => {
  await ds.destroy();
});

const decide = (principal: string, action: string, extra: object = {}) =>
  evaluate.execute({
    ...scope(principal),
    action: action as never,
    keyArn: KEY,
    keyAccountId: A,
    ...extra,
  });

const keyPolicy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const adminStatement = {
  Sid: 'Admin',
  Effect: 'Allow',
  Principal: { AWS: ALICE },
  Action: 'kms:*',
  Resource: '*',
};

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KmsError);
  expect((e as KmsError).code).toBe(code);
  if (message) expect((e as KmsError).message).toMatch(message);
}

describe('policy service', () => {
  it('should answer the default key policy of the key account when no policy was stored', async () => {
    expect(await keyPolicies.get({ ...scope(ALICE), keyArn: KEY, keyAccountId: A })).toEqual({
      policy: defaultKeyPolicy(A),
    });
  });

  it('should deny a user of the key account without identity policies and allow it once one is put', async () => {
    expect((await decide(ALICE, 'kms:Encrypt')).effect).toBe('DENY');
    await identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: 'full', document: FULL });
    expect(await decide(ALICE, 'kms:Encrypt')).toEqual({
      effect: 'ALLOW',
      reason: expect.stringMatching(/^allowed by identity policy "full"/) as unknown as string,
      cacheTtlMs: 5000,
    });
    expect(notices).toEqual([{ principalArn: ALICE }]);
  });

  it('should decide on the stored key policy at the next request when it changes', async () => {
    await keyPolicies.put({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      policy: keyPolicy([adminStatement]),
      bypassLockoutCheck: false,
    });
    expect((await decide(ALICE, 'kms:Decrypt')).effect).toBe('ALLOW');
    await keyPolicies.put({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      policy: keyPolicy([
        adminStatement,
        { Sid: 'NoDecrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
      ]),
      bypassLockoutCheck: false,
    });
    expect(await decide(ALICE, 'kms:Decrypt')).toMatchObject({
      effect: 'DENY',
      reason: 'explicit deny in key policy statement "NoDecrypt"',
    });
    expect(notices).toEqual([{ keyArn: KEY }, { keyArn: KEY }]);
  });

  it('should carry no cache time when the decision depends on the encryption context', async () => {
    await keyPolicies.put({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      policy: keyPolicy([
        adminStatement,
        {
          Effect: 'Allow',
          Principal: { AWS: BOB },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } },
        },
      ]),
      bypassLockoutCheck: false,
    });
    await identity.put({ ...scope(BOB), principalArn: BOB, policyName: 'full', document: FULL });
    const finance = await decide(BOB, 'kms:Decrypt', { encryptionContext: { dept: 'finance' } });
    expect(finance.effect).toBe('ALLOW');
    expect(finance.cacheTtlMs).toBeUndefined();
    expect((await decide(BOB, 'kms:Decrypt', { encryptionContext: { dept: 'hr' } })).effect).toBe('DENY');
  });

  it('should refuse a key policy that locks its caller out unless the check is bypassed', async () => {
    const lockout = keyPolicy([
      { Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Decrypt', Resource: '*' },
    ]);
    const put = (bypassLockoutCheck: boolean) =>
      keyPolicies.put({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, policy: lockout, bypassLockoutCheck });
    await rejectsWith(
      put(false),
      ErrorCodes.MALFORMED_POLICY,
      new RegExp(LOCKOUT_MESSAGE.replace('.', '\\.')),
    );
    expect(notices).toEqual([]);
    await put(true);
    expect((await keyPolicies.get({ ...scope(ALICE), keyArn: KEY, keyAccountId: A })).policy).toBe(lockout);
  });

  it('should refuse a malformed key policy or identity policy with the reason and store nothing', async () => {
    await rejectsWith(
      keyPolicies.put({
        ...scope(ALICE),
        keyArn: KEY,
        keyAccountId: A,
        policy: '{"Statement":',
        bypassLockoutCheck: true,
      }),
      ErrorCodes.MALFORMED_POLICY,
      /not valid JSON/,
    );
    await rejectsWith(
      identity.put({
        ...scope(ALICE),
        principalArn: ALICE,
        policyName: 'p',
        document: keyPolicy([{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }]),
      }),
      ErrorCodes.MALFORMED_POLICY,
      /identity policy cannot have a Principal/,
    );
    expect(await identity.list({ ...scope(ALICE), principalArn: ALICE })).toEqual({ policyNames: [] });
  });

  it('should list, get and delete identity policies and answer NOT_FOUND for a missing one', async () => {
    await identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: 'b', document: FULL });
    await identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: 'a', document: FULL });
    expect(await identity.list({ ...scope(ALICE), principalArn: ALICE })).toEqual({
      policyNames: ['a', 'b'],
    });
    expect(await identity.get({ ...scope(ALICE), principalArn: ALICE, policyName: 'a' })).toEqual({
      document: FULL,
    });
    await identity.delete({ ...scope(ALICE), principalArn: ALICE, policyName: 'a' });
    await rejectsWith(
      identity.get({ ...scope(ALICE), principalArn: ALICE, policyName: 'a' }),
      ErrorCodes.NOT_FOUND,
    );
    await rejectsWith(
      identity.delete({ ...scope(ALICE), principalArn: ALICE, policyName: 'a' }),
      ErrorCodes.NOT_FOUND,
    );
  });

  it('should refuse an eleventh identity policy of one principal with LIMIT_EXCEEDED', async () => {
    for (let i = 0; i < 10; i++) {
      await identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: `p${i}`, document: FULL });
    }
    await identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: 'p3', document: FULL });
    await rejectsWith(
      identity.put({ ...scope(ALICE), principalArn: ALICE, policyName: 'p10', document: FULL }),
      ErrorCodes.LIMIT_EXCEEDED,
    );
  });

  it('should allow another account principal only when the key policy allows its account and its identity policy allows too', async () => {
    await keyPolicies.put({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      policy: keyPolicy([
        adminStatement,
        {
          Sid: 'AccountB',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${B}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ]),
      bypassLockoutCheck: false,
    });
    expect(await decide(BOB, 'kms:Decrypt')).toMatchObject({
      effect: 'DENY',
      reason: expect.stringMatching(
        /^implicit deny: key policy statement "AccountB" allows account 222222222222/,
      ) as unknown as string,
    });
    await identity.put({ ...scope(BOB), principalArn: BOB, policyName: 'full', document: FULL });
    expect(await decide(BOB, 'kms:Decrypt')).toMatchObject({ effect: 'ALLOW' });
    expect((await decide(BOB, 'kms:Encrypt')).effect).toBe('DENY');
  });

  it('should let a grant allow another account principal at once and stop when it is revoked', async () => {
    expect((await decide(BOB, 'kms:Decrypt')).effect).toBe('DENY');
    const g = await grants.create({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      granteePrincipal: BOB,
      operations: ['Decrypt'],
    });
    expect(g.grantId).toMatch(/^[0-9a-f]{64}$/);
    expect(await decide(BOB, 'kms:Decrypt')).toMatchObject({
      effect: 'ALLOW',
      reason: `allowed by grant ${g.grantId}`,
    });
    expect((await decide(BOB, 'kms:Encrypt')).effect).toBe('DENY');
    await grants.revoke({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, grantId: g.grantId });
    expect((await decide(BOB, 'kms:Decrypt')).effect).toBe('DENY');
    await rejectsWith(
      grants.revoke({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, grantId: g.grantId }),
      ErrorCodes.NOT_FOUND,
    );
  });

  it('should return the same grant id for a retried CreateGrant with the same name and parameters', async () => {
    const req = {
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      granteePrincipal: BOB,
      operations: ['Encrypt', 'Decrypt'],
      name: 'app-1',
    };
    const first = await grants.create(req);
    const again = await grants.create({ ...req, operations: ['Decrypt', 'Encrypt'] });
    const other = await grants.create({ ...req, operations: ['Decrypt'] });
    expect(again.grantId).toBe(first.grantId);
    expect(other.grantId).not.toBe(first.grantId);
  });

  it('should refuse bad grants with the error AWS names', async () => {
    const base = { ...scope(ALICE), keyArn: KEY, keyAccountId: A, operations: ['Decrypt'] };
    await rejectsWith(grants.create({ ...base, granteePrincipal: 'bob' }), ErrorCodes.INVALID_ARN);
    await rejectsWith(
      grants.create({ ...base, granteePrincipal: BOB, retiringPrincipal: 'x' }),
      ErrorCodes.INVALID_ARN,
    );
    await rejectsWith(
      grants.create({ ...base, granteePrincipal: BOB, operations: ['Sign'] }),
      ErrorCodes.VALIDATION,
    );
    await rejectsWith(
      grants.create({ ...base, granteePrincipal: BOB, operations: ['Fly'] }),
      ErrorCodes.VALIDATION,
    );
    await rejectsWith(
      grants.create({ ...base, granteePrincipal: BOB, name: 'bad name' }),
      ErrorCodes.VALIDATION,
    );
    await rejectsWith(
      grants.revoke({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, grantId: 'xyz' }),
      ErrorCodes.INVALID_GRANT_ID,
    );
    await rejectsWith(
      grants.retire({ ...scope(ALICE), grantToken: 'bogus' }),
      ErrorCodes.INVALID_GRANT_TOKEN,
    );
    await rejectsWith(
      grants.list({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, limit: 10, marker: 'not-a-marker' }),
      ErrorCodes.INVALID_MARKER,
    );
  });

  it('should let only the retiring principal or a grantee allowed to retire retire a grant', async () => {
    const g = await grants.create({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      granteePrincipal: BOB,
      retiringPrincipal: ALICE,
      operations: ['Decrypt'],
    });
    await rejectsWith(grants.retire({ ...scope(BOB), grantToken: g.grantToken }), ErrorCodes.ACCESS_DENIED);
    expect(
      await grants.listRetirable({ ...scope(ALICE), retiringPrincipal: ALICE, limit: 10 }),
    ).toMatchObject({
      grants: [{ grantId: g.grantId, granteePrincipal: BOB, operations: ['Decrypt'] }],
    });
    await rejectsWith(
      grants.listRetirable({ ...scope(BOB), retiringPrincipal: ALICE, limit: 10 }),
      ErrorCodes.ACCESS_DENIED,
    );
    await grants.retire({ ...scope(ALICE), grantToken: g.grantToken });
    expect((await decide(BOB, 'kms:Decrypt')).effect).toBe('DENY');
  });

  it('should page grants by grant id with a marker when there are more than the limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await grants.create({
            ...scope(ALICE),
            keyArn: KEY,
            keyAccountId: A,
            granteePrincipal: BOB,
            operations: ['Decrypt'],
          })
        ).grantId,
      );
    }
    ids.sort();
    const first = await grants.list({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, limit: 2 });
    expect(first.grants.map((g) => g.grantId)).toEqual(ids.slice(0, 2));
    const rest = await grants.list({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      limit: 10,
      marker: first.nextMarker!,
    });
    expect(rest.grants.map((g) => g.grantId)).toEqual(ids.slice(2));
    expect(rest.nextMarker).toBeUndefined();
  });

  it('should drop a key policy and its grants when the key is forgotten', async () => {
    await keyPolicies.put({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      policy: keyPolicy([adminStatement]),
      bypassLockoutCheck: false,
    });
    await grants.create({
      ...scope(ALICE),
      keyArn: KEY,
      keyAccountId: A,
      granteePrincipal: BOB,
      operations: ['Decrypt'],
    });
    await keyPolicies.forget({ ...scope(ALICE), keyArn: KEY, keyAccountId: A });
    expect((await keyPolicies.get({ ...scope(ALICE), keyArn: KEY, keyAccountId: A })).policy).toBe(
      defaultKeyPolicy(A),
    );
    expect((await grants.list({ ...scope(ALICE), keyArn: KEY, keyAccountId: A, limit: 10 })).grants).toEqual(
      [],
    );
  });
});
