import { compilePolicy } from './document.js';
import { evaluate } from './evaluate.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::444455556666:user/bob';

const defaultKeyPolicy = compilePolicy(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  }),
  'key',
);
const fullAccess = compilePolicy(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
  'identity',
);

describe('evaluate', () => {
  it('should allow a principal of the key account when the key policy delegates and its identity policy allows', () => {
    const d = evaluate(
      { keyPolicy: defaultKeyPolicy, identityPolicies: [{ name: 'full', policy: fullAccess }], grants: [] },
      { principalArn: ALICE, action: 'kms:Decrypt', resource: KEY, context: {} },
    );
    expect(d).toEqual({
      effect: 'ALLOW',
      reason:
        'allowed by identity policy "full" statement #1, which key policy statement "Enable IAM User Permissions" lets count',
      conditional: false,
    });
  });

  it('should deny a principal of the key account when it has no identity policy and the key policy only delegates', () => {
    const d = evaluate(
      { keyPolicy: defaultKeyPolicy, identityPolicies: [], grants: [] },
      { principalArn: ALICE, action: 'kms:Decrypt', resource: KEY, context: {} },
    );
    expect(d.effect).toBe('DENY');
    expect(d.reason).toMatch(
      /^implicit deny: key policy statement "Enable IAM User Permissions" allows account/,
    );
  });

  it('should allow another account principal when a grant for it covers the operation', () => {
    const d = evaluate(
      {
        keyPolicy: defaultKeyPolicy,
        identityPolicies: [],
        grants: [{ grantId: 'g1', granteePrincipal: BOB, operations: ['Decrypt'] }],
      },
      { principalArn: BOB, action: 'kms:Decrypt', resource: KEY, context: {} },
    );
    expect(d).toEqual({ effect: 'ALLOW', reason: 'allowed by grant g1', conditional: false });
  });
});

describe('evaluate, root principal', () => {
  it('should allow the account root principal without identity policies when the key policy allows its account', () => {
    const d = evaluate(
      { keyPolicy: defaultKeyPolicy, identityPolicies: [], grants: [] },
      { principalArn: 'arn:aws:iam::111122223333:root', action: 'kms:Encrypt', resource: KEY, context: {} },
    );
    expect(d.effect).toBe('ALLOW');
    expect(d.reason).toBe(
      `allowed by the account's root principal, which key policy statement "Enable IAM User Permissions" lets count`,
    );
  });

  it('should allow the account root principal an action without a key when it has no identity policy', () => {
    const d = evaluate(
      { identityPolicies: [], grants: [] },
      { principalArn: 'arn:aws:iam::111122223333:root', action: 'kms:CreateKey', resource: '*', context: {} },
    );
    expect(d).toEqual({
      effect: 'ALLOW',
      reason: "allowed by the account's root principal",
      conditional: false,
    });
  });
});

describe('evaluate, actions allowed only by name', () => {
  const ROOT = 'arn:aws:iam::111122223333:root';
  const keyPolicy = (statement: Record<string, unknown>) =>
    compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), 'key');
  const shred = (policy: ReturnType<typeof compilePolicy>, principalArn = ROOT) =>
    evaluate(
      { keyPolicy: policy, identityPolicies: [{ name: 'full', policy: fullAccess }], grants: [] },
      { principalArn, action: 'kms:ShredKey', resource: KEY, context: {} },
    ).effect;
  const root = { Principal: { AWS: ROOT }, Resource: '*' };

  it.each([
    ['the default key policy (kms:*)', { Effect: 'Allow', ...root, Action: 'kms:*' }, 'DENY'],
    ['a wildcard that covers it', { Effect: 'Allow', ...root, Action: 'kms:Shred*' }, 'DENY'],
    ['a NotAction that leaves it out', { Effect: 'Allow', ...root, NotAction: 'kms:Decrypt' }, 'DENY'],
    ['its name', { Effect: 'Allow', ...root, Action: 'kms:ShredKey' }, 'ALLOW'],
    [
      'its name in another case',
      { Effect: 'Allow', ...root, Action: ['kms:Encrypt', 'KMS:shredkey'] },
      'ALLOW',
    ],
  ])('should decide ShredKey %s -> %s', (_name, statement, effect) => {
    expect(shred(keyPolicy(statement))).toBe(effect);
  });

  it('should deny ShredKey when a Deny names it by wildcard even though an Allow names it', () => {
    const policy = compilePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', ...root, Action: 'kms:ShredKey' },
          { Effect: 'Deny', ...root, Action: 'kms:*' },
        ],
      }),
      'key',
    );
    expect(shred(policy)).toBe('DENY');
  });

  it('should allow a user ShredKey when the key policy names it for the account and an identity policy allows kms:*', () => {
    expect(shred(keyPolicy({ Effect: 'Allow', ...root, Action: 'kms:ShredKey' }), ALICE)).toBe('ALLOW');
  });
});
