import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  type OracleInput,
  OutsideSubsetError,
  type TranslateOptions,
  cedarDecision,
  translateToCedar,
} from './cedar-translate.test-helper.js';
import type { EvaluationRequest } from './context.js';
import { compilePolicy } from './document.js';
import { type Decision, evaluate } from './evaluate.js';

const A = '111122223333';
const B = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${A}:key/0000aaaa-12ab-34cd-56ef-1234567890ab`;
const ALICE = `arn:aws:iam::${A}:user/alice`;
const BOB = `arn:aws:iam::${A}:user/bob`;
const CAROL = `arn:aws:iam::${B}:user/carol`;
const USERS = [ALICE, BOB, CAROL];
const ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
const SEED = 20_240_611;
const RUNS = 5000;

interface Sample {
  input: OracleInput;
  request: EvaluationRequest;
}

// ---- generators ---------------------------------------------------------------------------------------------

/** A name in one of a few spellings: AWS compares action and condition key names case-insensitively. */
const spelled = (name: string): fc.Arbitrary<string> =>
  fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());

const principalItem = fc.constantFrom(
  '*',
  A,
  B,
  `arn:aws:iam::${A}:root`,
  `arn:aws:iam::${B}:root`,
  ...USERS,
);
const principal: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant('*'),
  principalItem.map((p) => ({ AWS: p })),
  fc.uniqueArray(principalItem, { minLength: 1, maxLength: 3 }).map((ps) => ({ AWS: ps })),
);

const actionItem = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ACTIONS).chain(spelled) },
  { weight: 1, arbitrary: fc.constantFrom('kms:*', 'KMS:*', '*') },
);
const action: fc.Arbitrary<unknown> = fc.oneof(
  actionItem,
  fc.uniqueArray(actionItem, { minLength: 1, maxLength: 3 }),
);

const EC_VALUES = ['finance', 'Finance', 'finance-eu', 'finance.eu', 'hr', 'hr_eu'];
const EC_PATTERNS = ['fin*', '*-eu', '*.eu', '*', 'hr', 'Fin*'];

/** One condition: [operator, key, values]. */
type Cond = [string, string, unknown];
const oneOrMore = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(arb, fc.uniqueArray(arb, { minLength: 1, maxLength: 2 }));
const ifExists = fc.constantFrom('', '', '', 'IfExists');

const condition: fc.Arbitrary<Cond> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('StringEquals', 'StringNotEquals'),
      ifExists,
      fc.constantFrom('Dept', 'Project'),
      oneOrMore(fc.constantFrom(...EC_VALUES)),
    )
    .chain(([op, ie, k, v]) => spelled(`kms:EncryptionContext:${k}`).map((key): Cond => [op + ie, key, v])),
  fc
    .tuple(ifExists, fc.constantFrom('Dept', 'Project'), oneOrMore(fc.constantFrom(...EC_PATTERNS)))
    .map(([ie, k, v]): Cond => [`StringLike${ie}`, `kms:EncryptionContext:${k}`, v]),
  fc
    .tuple(fc.constantFrom('StringEquals', 'StringNotEquals'), ifExists, oneOrMore(fc.constantFrom(A, B)))
    .chain(([op, ie, v]) => spelled('kms:CallerAccount').map((key): Cond => [op + ie, key, v])),
  fc
    .tuple(
      fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike'),
      ifExists,
      oneOrMore(fc.constantFrom(...USERS, `arn:aws:iam::${A}:*`, '*/carol')),
    )
    .map(([op, ie, v]): Cond => [op + ie, 'aws:PrincipalArn', v]),
  fc
    .tuple(
      fc.constantFrom('NumericLessThan', 'NumericGreaterThan'),
      ifExists,
      oneOrMore(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }).map(String))),
    )
    .map(([op, ie, v]): Cond => [op + ie, 'aws:MultiFactorAuthAge', v]),
  fc
    .tuple(ifExists, fc.constantFrom<unknown>('true', 'false', 'True', true, false))
    .map(([ie, v]): Cond => [`Bool${ie}`, 'aws:SecureTransport', v]),
);

function conditionBlock(conds: readonly Cond[]): Record<string, Record<string, unknown>> {
  const block: Record<string, Record<string, unknown>> = {};
  for (const [op, key, v] of conds) (block[op] ??= {})[key] = v;
  return block;
}

const statement = (kind: 'key' | 'identity'): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Allow', 'Allow', 'Deny'),
      principal,
      action,
      resource:
        kind === 'key'
          ? fc.constantFrom<unknown>('*', KEY, [KEY])
          : fc.constantFrom<unknown>('*', '*', KEY, OTHER_KEY, [OTHER_KEY, KEY]),
      conditions: fc.oneof(fc.constant<Cond[]>([]), fc.array(condition, { minLength: 1, maxLength: 2 })),
    })
    .map((s) => ({
      Effect: s.effect,
      ...(kind === 'key' ? { Principal: s.principal } : {}),
      Action: s.action,
      Resource: s.resource,
      ...(s.conditions.length > 0 ? { Condition: conditionBlock(s.conditions) } : {}),
    }));

const doc = (kind: 'key' | 'identity', max: number): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.constantFrom('2012-10-17', '2008-10-17'),
      fc.array(statement(kind), { minLength: 1, maxLength: max }),
    )
    .map(([Version, Statement]) => ({ Version, Statement }));

const request: fc.Arbitrary<EvaluationRequest> = fc
  .record({
    principalArn: fc.constantFrom(...USERS),
    action: fc.constantFrom(...ACTIONS),
    dept: fc.option(fc.constantFrom(...EC_VALUES)),
    project: fc.option(fc.constantFrom(...EC_VALUES)),
    callerAccount: fc.boolean(),
    principalArnKey: fc.boolean(),
    mfaAge: fc.option(fc.integer({ min: 0, max: 6 })),
    secure: fc.option(fc.constantFrom('true', 'false')),
    deptKey: spelled('kms:EncryptionContext:Dept'),
  })
  .map((r) => {
    const context: Record<string, string> = {};
    if (r.dept !== null) context[r.deptKey] = r.dept;
    if (r.project !== null) context['kms:EncryptionContext:Project'] = r.project;
    if (r.callerAccount) context['kms:CallerAccount'] = r.principalArn.split(':')[4]!;
    if (r.principalArnKey) context['aws:PrincipalArn'] = r.principalArn;
    if (r.mfaAge !== null) context['aws:MultiFactorAuthAge'] = String(r.mfaAge);
    if (r.secure !== null) context['aws:SecureTransport'] = r.secure;
    return { principalArn: r.principalArn, action: r.action, resource: KEY, context };
  });

const sample: fc.Arbitrary<Sample> = fc
  .record({
    keyPolicy: doc('key', 4),
    identityPolicies: fc.array(doc('identity', 3), { maxLength: 2 }),
    request,
  })
  .map(({ keyPolicy, identityPolicies, request: r }) => ({
    input: { keyPolicy, identityPolicies },
    request: r,
  }));

// ---- the property --------------------------------------------------------------------------------------------

function engineDecision({ input, request: r }: Sample): Decision {
  return evaluate(
    {
      keyPolicy: compilePolicy(JSON.stringify(input.keyPolicy), 'key'),
      identityPolicies: input.identityPolicies.map((p, i) => ({
        name: `p${i}`,
        policy: compilePolicy(JSON.stringify(p), 'identity'),
      })),
      grants: [],
    },
    r,
  );
}

/** Decides the sample with both; throws (with the Cedar policies) when they disagree. */
function decideBoth(s: Sample, options: TranslateOptions = {}): Decision {
  const query = translateToCedar(s.input, s.request, options);
  const oracle = cedarDecision(query);
  const engine = engineDecision(s);
  if (engine.effect !== oracle) {
    throw new Error(`engine ${engine.effect}, Cedar ${oracle}\nCedar policies:\n${query.policyText}`);
  }
  return engine;
}

const keyPolicy = (...Statement: Record<string, unknown>[]): unknown => ({
  Version: '2012-10-17',
  Statement,
});
const identityPolicy = keyPolicy;
const req = (principalArn: string, context: Record<string, string> = {}): EvaluationRequest => ({
  principalArn,
  action: 'kms:Decrypt',
  resource: KEY,
  context,
});
const delegateToA = {
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${A}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const allowAll = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };

/** Hand-written cases with the effect AWS documents; each is checked against both Cedar and the engine. */
const REGRESSIONS: { name: string; sample: Sample; effect: 'ALLOW' | 'DENY' }[] = [
  {
    name: 'a negated operator holds on an absent key, so the Deny applies',
    sample: {
      input: {
        keyPolicy: keyPolicy(
          { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { StringNotEquals: { 'kms:EncryptionContext:Dept': 'finance' } },
          },
        ),
        identityPolicies: [],
      },
      request: req(ALICE),
    },
    effect: 'DENY',
  },
  {
    name: 'a positive operator fails on an absent key, so the Allow does not apply',
    sample: {
      input: {
        keyPolicy: keyPolicy({
          Effect: 'Allow',
          Principal: { AWS: ALICE },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringLike: { 'kms:EncryptionContext:Dept': '*' } },
        }),
        identityPolicies: [],
      },
      request: req(ALICE),
    },
    effect: 'DENY',
  },
  {
    name: 'a key policy naming a caller of the key account allows without identity policies',
    sample: {
      input: {
        keyPolicy: keyPolicy({
          Effect: 'Allow',
          Principal: { AWS: [BOB, ALICE] },
          Action: 'kms:*',
          Resource: '*',
        }),
        identityPolicies: [],
      },
      request: req(ALICE),
    },
    effect: 'ALLOW',
  },
  {
    name: 'a key policy naming a caller of another account needs its identity policy too',
    sample: {
      input: {
        keyPolicy: keyPolicy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }),
        identityPolicies: [],
      },
      request: req(CAROL),
    },
    effect: 'DENY',
  },
  {
    name: 'an identity policy counts only when the key policy delegates to the caller account',
    sample: {
      input: { keyPolicy: keyPolicy(delegateToA), identityPolicies: [identityPolicy(allowAll)] },
      request: req(CAROL),
    },
    effect: 'DENY',
  },
  {
    name: 'a delegating key policy statement whose condition fails does not let the identity policy count',
    sample: {
      input: {
        keyPolicy: keyPolicy({ ...delegateToA, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
        identityPolicies: [identityPolicy(allowAll)],
      },
      request: req(ALICE, { 'aws:SecureTransport': 'false' }),
    },
    effect: 'DENY',
  },
  {
    name: 'an identity policy Deny wins over a key policy naming the caller',
    sample: {
      input: {
        keyPolicy: keyPolicy({
          Effect: 'Allow',
          Principal: { AWS: ALICE },
          Action: 'kms:Decrypt',
          Resource: KEY,
        }),
        identityPolicies: [
          identityPolicy({
            Effect: 'Deny',
            Action: 'KMS:DECRYPT',
            Resource: '*',
            Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': 3 } },
          }),
        ],
      },
      request: req(ALICE, { 'aws:multifactorauthage': '4' }),
    },
    effect: 'DENY',
  },
];

describe('evaluate against Cedar as an oracle', () => {
  it.each(REGRESSIONS)('should give the documented effect when $name', ({ sample: s, effect }) => {
    expect(cedarDecision(translateToCedar(s.input, s.request))).toBe(effect);
    expect(engineDecision(s).effect).toBe(effect);
  });

  it('should decide as Cedar does when policies and requests are generated in the shared subset', () => {
    const paths = { explicitDeny: 0, keyPolicyAllow: 0, delegatedAllow: 0, implicitDeny: 0 };
    fc.assert(
      fc.property(sample, (s) => {
        const { reason } = decideBoth(s);
        if (reason.startsWith('explicit deny')) paths.explicitDeny += 1;
        else if (reason.startsWith('allowed by key policy')) paths.keyPolicyAllow += 1;
        else if (reason.startsWith('allowed by identity policy')) paths.delegatedAllow += 1;
        else paths.implicitDeny += 1;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Every path of KMS's rule must be reached often, or agreement says little.
    for (const count of Object.values(paths)) expect(count).toBeGreaterThan(RUNS * 0.02);
  });

  it('should catch a wrong translation when negated operators are made false on absent keys', () => {
    const details = fc.check(
      fc.property(sample, (s) => {
        decideBoth(s, { wrongNegatedAbsent: true });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/^Error: engine (ALLOW|DENY), Cedar (ALLOW|DENY)/);
  });

  it('should refuse a policy when it is outside the subset the oracle can express', () => {
    const notAction = keyPolicy({ Effect: 'Allow', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' });
    expect(() => translateToCedar({ keyPolicy: notAction, identityPolicies: [] }, req(ALICE))).toThrow(
      OutsideSubsetError,
    );
  });
});
