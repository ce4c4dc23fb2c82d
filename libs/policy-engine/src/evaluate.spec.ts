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
