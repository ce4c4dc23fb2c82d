// Table of evaluation-order cases drawn from the KMS developer guide (default key policy, key policy and IAM
// policies together, cross-account access, grants and grant constraints) and the IAM user guide (Principal,
// NotPrincipal, NotAction, NotResource, wildcards). Each row: policies and grants, a request, the whole Decision.
import type { ContextValue } from './context.js';
import { compilePolicy } from './document.js';
import { evaluate } from './evaluate.js';
import type { GrantRule } from './grants.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const ADMIN = 'arn:aws:iam::111122223333:role/KeyAdmin';
const APP = 'arn:aws:iam::111122223333:role/app';
const BOB = 'arn:aws:iam::444455556666:user/bob';
const ROOT = 'arn:aws:iam::111122223333:root';
const EXTERNAL_ROOT = 'arn:aws:iam::444455556666:root';

type Statement = Record<string, unknown>;

interface EvaluationCase {
  name: string;
  /** Key policy statements; absent for actions without a key. */
  keyPolicy?: Statement[];
  /** Identity policies of the caller, by name. */
  identity?: Record<string, Statement[]>;
  grants?: GrantRule[];
  principal: string;
  action: string;
  resource?: string;
  context?: Record<string, ContextValue>;
  encryptionContext?: Record<string, string>;
  effect: 'ALLOW' | 'DENY';
  reason: string | RegExp;
  conditional: boolean;
}

/** The default key policy's root statement: the account's identity policies decide. */
const ENABLE_IAM: Statement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'kms:*',
  Resource: '*',
};
const ALL_KMS: Statement[] = [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }];
const DECRYPT_KEY: Statement[] = [{ Sid: 'UseKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }];
const ALICE_DIRECT: Statement = {
  Sid: 'AliceUse',
  Effect: 'Allow',
  Principal: { AWS: ALICE },
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
  Resource: '*',
};
const DELEGATE_EXTERNAL: Statement = {
  Sid: 'External',
  Effect: 'Allow',
  Principal: { AWS: EXTERNAL_ROOT },
  Action: ['kms:Decrypt', 'kms:DescribeKey'],
  Resource: '*',
};

const noneAllows = (principal: string, action: string, resource = KEY) =>
  `implicit deny: no key policy statement, identity policy or grant allows ${principal} to perform ${action} on ${resource}`;
const delegatedWithout = (sid: string, account: string, principal: string, action: string) =>
  `implicit deny: key policy statement "${sid}" allows account ${account}, but no identity policy of ${principal} allows ${action}`;
const identityWithout = (label: string, principal: string) =>
  `implicit deny: ${label} allows it, but the key policy neither allows ${principal} nor lets its account's identity policies count`;

const keyPolicyCases: EvaluationCase[] = [
  {
    name: 'should allow when the default key policy delegates and an identity policy allows',
    keyPolicy: [ENABLE_IAM],
    identity: { full: ALL_KMS },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "full" statement #1, which key policy statement "Enable IAM User Permissions" lets count',
    conditional: false,
  },
  {
    name: 'should deny when the default key policy delegates and no identity policy allows',
    keyPolicy: [ENABLE_IAM],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', ALICE, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should deny when the identity policy allows another action than the one requested',
    keyPolicy: [ENABLE_IAM],
    identity: { use: DECRYPT_KEY },
    principal: ALICE,
    action: 'kms:Encrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', ALICE, 'kms:Encrypt'),
    conditional: false,
  },
  {
    name: 'should allow when the key policy delegates by account id as it does by root ARN',
    keyPolicy: [
      { Sid: 'ById', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' },
    ],
    identity: { use: DECRYPT_KEY },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "use" statement "UseKey", which key policy statement "ById" lets count',
    conditional: false,
  },
  {
    name: 'should deny when the key policy names the account by id and no identity policy allows',
    keyPolicy: [
      { Sid: 'ById', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('ById', '111122223333', ALICE, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow when the key policy names the user directly and it has no identity policy',
    keyPolicy: [ENABLE_IAM, ALICE_DIRECT],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: false,
  },
  {
    name: 'should allow when the key policy names a role directly',
    keyPolicy: [
      { Sid: 'App', Effect: 'Allow', Principal: { AWS: [ALICE, APP] }, Action: 'kms:Encrypt', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:Encrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "App"',
    conditional: false,
  },
  {
    name: 'should deny when the key policy names the user for other actions only',
    keyPolicy: [ALICE_DIRECT],
    principal: ALICE,
    action: 'kms:ScheduleKeyDeletion',
    effect: 'DENY',
    reason: noneAllows(ALICE, 'kms:ScheduleKeyDeletion'),
    conditional: false,
  },
  {
    name: 'should deny when an identity policy allows but the key policy names neither the user nor its account',
    keyPolicy: [
      { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' },
    ],
    identity: { full: ALL_KMS },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: identityWithout('identity policy "full" statement #1', ALICE),
    conditional: false,
  },
  {
    name: 'should allow when Principal is "*" for a caller of the key account',
    keyPolicy: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Everyone"',
    conditional: false,
  },
  {
    name: 'should allow when Principal is {"AWS":"*"} for a caller of the key account',
    keyPolicy: [
      { Sid: 'Everyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Everyone"',
    conditional: false,
  },
  {
    name: 'should deny when Principal is "*" but the caller of another account has no identity policy',
    keyPolicy: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Everyone', '444455556666', BOB, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow when Principal is "*" and the caller of another account has an identity policy',
    keyPolicy: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    identity: { 'bob-kms': DECRYPT_KEY },
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "bob-kms" statement "UseKey", which key policy statement "Everyone" lets count',
    conditional: false,
  },
  {
    name: 'should deny when the key policy statement names another key as its Resource',
    keyPolicy: [
      { Sid: 'Other', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: OTHER_KEY },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: noneAllows(ALICE, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should label a statement without Sid by its position',
    keyPolicy: [
      ENABLE_IAM,
      { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement #2',
    conditional: false,
  },
];

const crossAccountCases: EvaluationCase[] = [
  {
    name: 'should allow when the key policy delegates to the other account and its identity policy allows',
    keyPolicy: [ENABLE_IAM, DELEGATE_EXTERNAL],
    identity: { 'bob-kms': DECRYPT_KEY },
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "bob-kms" statement "UseKey", which key policy statement "External" lets count',
    conditional: false,
  },
  {
    name: 'should deny when the key policy delegates to the other account but no identity policy allows',
    keyPolicy: [ENABLE_IAM, DELEGATE_EXTERNAL],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('External', '444455556666', BOB, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should deny when the other account identity policy allows but the key policy does not name that account',
    keyPolicy: [ENABLE_IAM],
    identity: { 'bob-kms': DECRYPT_KEY },
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: identityWithout('identity policy "bob-kms" statement "UseKey"', BOB),
    conditional: false,
  },
  {
    name: 'should deny when the key policy names the user of another account directly but no identity policy allows',
    keyPolicy: [
      { Sid: 'Bob', Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Bob', '444455556666', BOB, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow when the key policy names the user of another account and its identity policy allows',
    keyPolicy: [
      { Sid: 'Bob', Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    identity: {
      'bob-kms': [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:111122223333:key/*' }],
    },
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by identity policy "bob-kms" statement #1, which key policy statement "Bob" lets count',
    conditional: false,
  },
  {
    name: 'should deny when the other account identity policy names another key',
    keyPolicy: [DELEGATE_EXTERNAL],
    identity: { 'bob-kms': [{ Sid: 'Other', Effect: 'Allow', Action: 'kms:Decrypt', Resource: OTHER_KEY }] },
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('External', '444455556666', BOB, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow when a kms:CallerAccount condition admits the other account',
    keyPolicy: [
      {
        Sid: 'ViaEc2',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': '444455556666',
            'kms:ViaService': 'ec2.us-east-1.amazonaws.com',
          },
        },
      },
    ],
    identity: { 'bob-kms': DECRYPT_KEY },
    principal: BOB,
    action: 'kms:Decrypt',
    context: { 'kms:CallerAccount': '444455556666', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "bob-kms" statement "UseKey", which key policy statement "ViaEc2" lets count',
    conditional: true,
  },
  {
    name: 'should deny when a kms:ViaService condition meets a direct call',
    keyPolicy: [
      {
        Sid: 'ViaEc2',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': '444455556666',
            'kms:ViaService': 'ec2.us-east-1.amazonaws.com',
          },
        },
      },
    ],
    identity: { 'bob-kms': DECRYPT_KEY },
    principal: BOB,
    action: 'kms:Decrypt',
    context: { 'kms:CallerAccount': '444455556666' },
    effect: 'DENY',
    reason: identityWithout('identity policy "bob-kms" statement "UseKey"', BOB),
    conditional: true,
  },
];

const DENY_DECRYPT_KEY: Statement = {
  Sid: 'DenyDecrypt',
  Effect: 'Deny',
  Principal: { AWS: ALICE },
  Action: 'kms:Decrypt',
  Resource: '*',
};
const DENY_DECRYPT_IDENTITY: Statement[] = [
  { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
];
const ALICE_GRANT: GrantRule = {
  grantId: 'grant-alice',
  granteePrincipal: ALICE,
  operations: ['Decrypt', 'Encrypt'],
};

const denyCases: EvaluationCase[] = [
  {
    name: 'should deny when the key policy denies explicitly despite naming the user in an Allow',
    keyPolicy: [ALICE_DIRECT, DENY_DECRYPT_KEY],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "DenyDecrypt"',
    conditional: false,
  },
  {
    name: 'should deny when an identity policy denies explicitly despite the key policy naming the user',
    keyPolicy: [ALICE_DIRECT],
    identity: { full: ALL_KMS, guard: DENY_DECRYPT_IDENTITY },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in identity policy "guard" statement "NoDecrypt"',
    conditional: false,
  },
  {
    name: 'should deny when the key policy denies explicitly despite a grant',
    keyPolicy: [ENABLE_IAM, DENY_DECRYPT_KEY],
    grants: [ALICE_GRANT],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "DenyDecrypt"',
    conditional: false,
  },
  {
    name: 'should deny when an identity policy denies explicitly despite a grant',
    keyPolicy: [ENABLE_IAM],
    identity: { guard: DENY_DECRYPT_IDENTITY },
    grants: [ALICE_GRANT],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in identity policy "guard" statement "NoDecrypt"',
    conditional: false,
  },
  {
    name: 'should deny every user of an account when a key policy Deny names the account root',
    keyPolicy: [
      ALICE_DIRECT,
      { Sid: 'DenyAccount', Effect: 'Deny', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "DenyAccount"',
    conditional: false,
  },
  {
    name: 'should not deny when a key policy Deny names another principal',
    keyPolicy: [
      ALICE_DIRECT,
      { Sid: 'DenyApp', Effect: 'Deny', Principal: { AWS: APP }, Action: 'kms:*', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: false,
  },
  {
    name: 'should deny when a Deny on aws:SecureTransport false meets a plain-text request',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:SecureTransport': 'false' },
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "TlsOnly"',
    conditional: true,
  },
  {
    name: 'should allow when a Deny on aws:SecureTransport false meets a TLS request',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:SecureTransport': 'true' },
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: true,
  },
  {
    name: 'should deny when an identity Deny with NotIpAddress meets a caller outside the network',
    keyPolicy: [ENABLE_IAM],
    identity: {
      full: ALL_KMS,
      network: [
        {
          Sid: 'OfficeOnly',
          Effect: 'Deny',
          Action: 'kms:*',
          Resource: '*',
          Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:SourceIp': '198.51.100.7' },
    effect: 'DENY',
    reason: 'explicit deny in identity policy "network" statement "OfficeOnly"',
    conditional: true,
  },
  {
    name: 'should allow when an identity Deny with NotIpAddress meets a caller inside the network',
    keyPolicy: [ENABLE_IAM],
    identity: {
      full: ALL_KMS,
      network: [
        {
          Sid: 'OfficeOnly',
          Effect: 'Deny',
          Action: 'kms:*',
          Resource: '*',
          Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:SourceIp': '2001:db8::10' },
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "full" statement #1, which key policy statement "Enable IAM User Permissions" lets count',
    conditional: true,
  },
  {
    name: 'should deny when a Deny on a missing encryption context key holds (negated operator, key absent)',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'NeedProject',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringNotEquals: { 'kms:EncryptionContext:Project': 'apollo' } },
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "NeedProject"',
    conditional: true,
  },
];

const notElementCases: EvaluationCase[] = [
  {
    name: 'should deny a principal that NotPrincipal with Deny does not list',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: [ADMIN, ROOT] },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "OnlyAdmin"',
    conditional: false,
  },
  {
    name: 'should deny a user whose account NotPrincipal with Deny lists but whose own ARN it does not',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: [ADMIN, ROOT] },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "OnlyAdmin"',
    conditional: false,
  },
  {
    name: 'should spare the account root that NotPrincipal with Deny lists',
    keyPolicy: [
      ENABLE_IAM,
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: [ADMIN, ROOT] },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
    identity: { full: ALL_KMS },
    principal: ROOT,
    action: 'kms:PutKeyPolicy',
    effect: 'ALLOW',
    reason: /^allowed by .*, which key policy statement "Enable IAM User Permissions" lets count$/,
    conditional: false,
  },
  {
    name: 'should spare a principal that NotPrincipal with Deny lists',
    keyPolicy: [
      { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: [ADMIN, ROOT] },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
    principal: ADMIN,
    action: 'kms:ScheduleKeyDeletion',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Admin"',
    conditional: false,
  },
  {
    name: 'should allow a principal that NotPrincipal with Allow does not list',
    keyPolicy: [
      { Sid: 'AllButApp', Effect: 'Allow', NotPrincipal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AllButApp"',
    conditional: false,
  },
  {
    name: 'should not allow the principal that NotPrincipal with Allow lists',
    keyPolicy: [
      { Sid: 'AllButApp', Effect: 'Allow', NotPrincipal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: noneAllows(APP, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow an action that NotAction does not list',
    keyPolicy: [
      {
        Sid: 'NoDelete',
        Effect: 'Allow',
        Principal: { AWS: ALICE },
        NotAction: ['kms:ScheduleKeyDeletion', 'kms:Delete*'],
        Resource: '*',
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "NoDelete"',
    conditional: false,
  },
  {
    name: 'should not allow an action that NotAction lists by wildcard',
    keyPolicy: [
      {
        Sid: 'NoDelete',
        Effect: 'Allow',
        Principal: { AWS: ALICE },
        NotAction: ['kms:ScheduleKeyDeletion', 'kms:Delete*'],
        Resource: '*',
      },
    ],
    principal: ALICE,
    action: 'kms:DeleteImportedKeyMaterial',
    effect: 'DENY',
    reason: noneAllows(ALICE, 'kms:DeleteImportedKeyMaterial'),
    conditional: false,
  },
  {
    name: 'should deny every action but the listed one when a Deny uses NotAction',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'DescribeOnly',
        Effect: 'Deny',
        Principal: { AWS: ALICE },
        NotAction: 'kms:DescribeKey',
        Resource: '*',
      },
    ],
    principal: ALICE,
    action: 'kms:Encrypt',
    effect: 'DENY',
    reason: 'explicit deny in key policy statement "DescribeOnly"',
    conditional: false,
  },
  {
    name: 'should allow the key that NotResource does not list',
    keyPolicy: [ENABLE_IAM],
    identity: {
      'not-other': [{ Sid: 'AllButOther', Effect: 'Allow', Action: 'kms:*', NotResource: OTHER_KEY }],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "not-other" statement "AllButOther", which key policy statement "Enable IAM User Permissions" lets count',
    conditional: false,
  },
  {
    name: 'should not allow the key that NotResource lists',
    keyPolicy: [ENABLE_IAM],
    identity: { 'not-other': [{ Sid: 'AllButOther', Effect: 'Allow', Action: 'kms:*', NotResource: KEY }] },
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', ALICE, 'kms:Decrypt'),
    conditional: false,
  },
];

const REENCRYPT_ONLY: Statement = {
  Sid: 'Rekey',
  Effect: 'Allow',
  Principal: { AWS: APP },
  Action: 'kms:ReEncrypt*',
  Resource: '*',
};

const actionCases: EvaluationCase[] = [
  {
    name: 'should allow ReEncryptFrom under kms:ReEncrypt* without Decrypt',
    keyPolicy: [REENCRYPT_ONLY],
    principal: APP,
    action: 'kms:ReEncryptFrom',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Rekey"',
    conditional: false,
  },
  {
    name: 'should allow ReEncryptTo under kms:ReEncrypt* without Decrypt',
    keyPolicy: [REENCRYPT_ONLY],
    principal: APP,
    action: 'kms:ReEncryptTo',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Rekey"',
    conditional: false,
  },
  {
    name: 'should deny Decrypt when the key policy allows only kms:ReEncrypt*',
    keyPolicy: [REENCRYPT_ONLY],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: noneAllows(APP, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow GenerateDataKeyWithoutPlaintext under kms:Generate*',
    keyPolicy: [
      { Sid: 'Gen', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Generate*', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:GenerateDataKeyWithoutPlaintext',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Gen"',
    conditional: false,
  },
  {
    name: 'should deny Encrypt under kms:Generate*',
    keyPolicy: [
      { Sid: 'Gen', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Generate*', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:Encrypt',
    effect: 'DENY',
    reason: noneAllows(APP, 'kms:Encrypt'),
    conditional: false,
  },
  {
    name: 'should match actions case-insensitively',
    keyPolicy: [
      { Sid: 'Upper', Effect: 'Allow', Principal: { AWS: APP }, Action: 'KMS:DECRYPT', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Upper"',
    conditional: false,
  },
  {
    name: 'should match a wildcard action case-insensitively',
    keyPolicy: [
      { Sid: 'Lower', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:reencrypt*', Resource: '*' },
    ],
    principal: APP,
    action: 'kms:ReEncryptFrom',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Lower"',
    conditional: false,
  },
  {
    name: 'should match a ? in an action to one character',
    keyPolicy: [{ Sid: 'Q', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:?ncrypt', Resource: '*' }],
    principal: APP,
    action: 'kms:Encrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "Q"',
    conditional: false,
  },
  {
    name: 'should not let an action of another service match',
    keyPolicy: [{ Sid: 'S3', Effect: 'Allow', Principal: { AWS: APP }, Action: 's3:*', Resource: '*' }],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: noneAllows(APP, 'kms:Decrypt'),
    conditional: false,
  },
];

const keylessCases: EvaluationCase[] = [
  {
    name: 'should allow CreateKey when an identity policy allows it (no key policy)',
    identity: { admin: [{ Sid: 'Create', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] },
    principal: ALICE,
    action: 'kms:CreateKey',
    resource: '*',
    effect: 'ALLOW',
    reason: 'allowed by identity policy "admin" statement "Create"',
    conditional: false,
  },
  {
    name: 'should deny ListKeys when no identity policy allows it (no key policy)',
    identity: { admin: [{ Sid: 'Create', Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] },
    principal: ALICE,
    action: 'kms:ListKeys',
    resource: '*',
    effect: 'DENY',
    reason: `implicit deny: no identity policy of ${ALICE} allows kms:ListKeys on *`,
    conditional: false,
  },
  {
    name: 'should deny GenerateRandom when an identity policy denies it (no key policy)',
    identity: {
      full: ALL_KMS,
      guard: [{ Sid: 'NoRandom', Effect: 'Deny', Action: 'kms:GenerateRandom', Resource: '*' }],
    },
    principal: ALICE,
    action: 'kms:GenerateRandom',
    resource: '*',
    effect: 'DENY',
    reason: 'explicit deny in identity policy "guard" statement "NoRandom"',
    conditional: false,
  },
  {
    name: 'should not let a grant allow an action without a key',
    grants: [{ grantId: 'g-list', granteePrincipal: ALICE, operations: ['DescribeKey'] }],
    principal: ALICE,
    action: 'kms:ListAliases',
    resource: '*',
    effect: 'DENY',
    reason: `implicit deny: no identity policy of ${ALICE} allows kms:ListAliases on *`,
    conditional: false,
  },
  {
    name: 'should not let an identity policy for key ARNs allow an action without a key',
    identity: {
      keys: [{ Sid: 'Keys', Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:*:111122223333:key/*' }],
    },
    principal: ALICE,
    action: 'kms:CreateKey',
    resource: '*',
    effect: 'DENY',
    reason: `implicit deny: no identity policy of ${ALICE} allows kms:CreateKey on *`,
    conditional: false,
  },
  {
    name: 'should decide CreateKey by an identity condition on aws:RequestTag',
    identity: {
      tagged: [
        {
          Sid: 'Tagged',
          Effect: 'Allow',
          Action: 'kms:CreateKey',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:CreateKey',
    resource: '*',
    context: { 'aws:RequestTag/team': 'blue', 'aws:PrincipalTag/team': 'blue' },
    effect: 'ALLOW',
    reason: 'allowed by identity policy "tagged" statement "Tagged"',
    conditional: true,
  },
];

const EQUALS_GRANT: GrantRule = {
  grantId: 'g-eq',
  granteePrincipal: APP,
  operations: ['Decrypt', 'Encrypt', 'DescribeKey', 'RetireGrant'],
  constraints: { encryptionContextEquals: { Department: 'IT' } },
};
const SUBSET_GRANT: GrantRule = {
  grantId: 'g-sub',
  granteePrincipal: APP,
  operations: ['Decrypt', 'GenerateDataKey'],
  constraints: { encryptionContextSubset: { Department: 'IT', Project: 'apollo' } },
};

const grantCases: EvaluationCase[] = [
  {
    name: 'should allow when a grant names the caller exactly and covers the operation',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-1', granteePrincipal: APP, operations: ['Decrypt'] }],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by grant g-1',
    conditional: false,
  },
  {
    name: 'should deny when the grant does not cover the operation',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-1', granteePrincipal: APP, operations: ['Decrypt'] }],
    principal: APP,
    action: 'kms:Encrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Encrypt'),
    conditional: false,
  },
  {
    name: 'should deny when the grant names another principal',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-1', granteePrincipal: ALICE, operations: ['Decrypt'] }],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow a principal of another account by a grant alone',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-bob', granteePrincipal: BOB, operations: ['Decrypt'] }],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by grant g-bob',
    conditional: false,
  },
  {
    name: 'should deny when a grant to the account root meets a caller without an identity policy',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-acct', granteePrincipal: EXTERNAL_ROOT, operations: ['Decrypt'] }],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: noneAllows(BOB, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow when a grant to the account root meets a caller whose identity policy allows',
    keyPolicy: [ENABLE_IAM],
    identity: { 'bob-kms': DECRYPT_KEY },
    grants: [{ grantId: 'g-acct', granteePrincipal: EXTERNAL_ROOT, operations: ['Decrypt'] }],
    principal: BOB,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by grant g-acct',
    conditional: false,
  },
  {
    name: 'should deny ReEncryptTo when the grant allows only ReEncryptFrom',
    keyPolicy: [ENABLE_IAM],
    grants: [{ grantId: 'g-re', granteePrincipal: APP, operations: ['ReEncryptFrom'] }],
    principal: APP,
    action: 'kms:ReEncryptTo',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:ReEncryptTo'),
    conditional: false,
  },
  {
    name: 'should allow when EncryptionContextEquals meets exactly that context',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:Decrypt',
    encryptionContext: { Department: 'IT' },
    effect: 'ALLOW',
    reason: 'allowed by grant g-eq',
    conditional: true,
  },
  {
    name: 'should deny when EncryptionContextEquals meets a context with an extra pair',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:Decrypt',
    encryptionContext: { Department: 'IT', Project: 'apollo' },
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Decrypt'),
    conditional: true,
  },
  {
    name: 'should deny when EncryptionContextEquals meets a value in another case',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:Encrypt',
    encryptionContext: { Department: 'it' },
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Encrypt'),
    conditional: true,
  },
  {
    name: 'should deny when EncryptionContextEquals meets no encryption context',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Decrypt'),
    conditional: true,
  },
  {
    name: 'should allow when EncryptionContextSubset meets a context that holds its pairs and more',
    keyPolicy: [ENABLE_IAM],
    grants: [SUBSET_GRANT],
    principal: APP,
    action: 'kms:GenerateDataKey',
    encryptionContext: { Department: 'IT', Project: 'apollo', Owner: 'alice' },
    effect: 'ALLOW',
    reason: 'allowed by grant g-sub',
    conditional: true,
  },
  {
    name: 'should deny when EncryptionContextSubset meets a context that lacks one of its pairs',
    keyPolicy: [ENABLE_IAM],
    grants: [SUBSET_GRANT],
    principal: APP,
    action: 'kms:Decrypt',
    encryptionContext: { Department: 'IT' },
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', APP, 'kms:Decrypt'),
    conditional: true,
  },
  {
    name: 'should allow DescribeKey under a constrained grant whatever the encryption context',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:DescribeKey',
    effect: 'ALLOW',
    reason: 'allowed by grant g-eq',
    conditional: true,
  },
  {
    name: 'should allow RetireGrant under a constrained grant whatever the encryption context',
    keyPolicy: [ENABLE_IAM],
    grants: [EQUALS_GRANT],
    principal: APP,
    action: 'kms:RetireGrant',
    encryptionContext: { Other: 'x' },
    effect: 'ALLOW',
    reason: 'allowed by grant g-eq',
    conditional: true,
  },
  {
    name: 'should use the second grant when the first one does not cover the operation',
    keyPolicy: [ENABLE_IAM],
    grants: [
      { grantId: 'g-enc', granteePrincipal: APP, operations: ['Encrypt'] },
      { grantId: 'g-dec', granteePrincipal: APP, operations: ['Decrypt'] },
    ],
    principal: APP,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by grant g-dec',
    conditional: false,
  },
  {
    name: 'should prefer the key policy naming the caller over a grant in the reason',
    keyPolicy: [ALICE_DIRECT],
    grants: [ALICE_GRANT],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: false,
  },
];

const conditionalCases: EvaluationCase[] = [
  {
    name: 'should mark the decision conditional when an identity policy has a condition that fails',
    keyPolicy: [ENABLE_IAM],
    identity: {
      ec: [
        {
          Sid: 'WithContext',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY,
          Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'kms:EncryptionContext:AppName': 'OtherApp' },
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', ALICE, 'kms:Decrypt'),
    conditional: true,
  },
  {
    name: 'should mark the decision conditional when an identity policy has a condition that holds',
    keyPolicy: [ENABLE_IAM],
    identity: {
      ec: [
        {
          Sid: 'WithContext',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY,
          Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'kms:EncryptionContext:AppName': 'ExampleApp' },
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "ec" statement "WithContext", which key policy statement "Enable IAM User Permissions" lets count',
    conditional: true,
  },
  {
    name: 'should mark the decision conditional when a policy variable sits in an identity Resource',
    keyPolicy: [ENABLE_IAM],
    identity: {
      own: [
        {
          Sid: 'OwnKey',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}',
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:PrincipalTag/key-id': KEY_ID },
    effect: 'ALLOW',
    reason:
      'allowed by identity policy "own" statement "OwnKey", which key policy statement "Enable IAM User Permissions" lets count',
    conditional: true,
  },
  {
    name: 'should mark the decision conditional when an unrelated key policy statement has a condition',
    keyPolicy: [
      ALICE_DIRECT,
      {
        Sid: 'ViaService',
        Effect: 'Allow',
        Principal: { AWS: APP },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      },
    ],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: true,
  },
  {
    name: 'should mark the decision conditional when a constrained grant is present but unused',
    keyPolicy: [ALICE_DIRECT],
    grants: [EQUALS_GRANT],
    principal: ALICE,
    action: 'kms:Decrypt',
    effect: 'ALLOW',
    reason: 'allowed by key policy statement "AliceUse"',
    conditional: true,
  },
  {
    name: 'should not mark the decision conditional when a Version 2008-10-17 policy holds ${...} literally',
    keyPolicy: [ENABLE_IAM],
    identity: {
      old: [
        {
          Sid: 'Literal',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:username}',
        },
      ],
    },
    principal: ALICE,
    action: 'kms:Decrypt',
    context: { 'aws:username': 'alice' },
    effect: 'DENY',
    reason: delegatedWithout('Enable IAM User Permissions', '111122223333', ALICE, 'kms:Decrypt'),
    conditional: false,
  },
  {
    name: 'should allow CreateGrant when an identity policy limits kms:GrantOperations with ForAllValues',
    keyPolicy: [ENABLE_IAM],
    identity: {
      grants: [
        {
          Sid: 'LimitGrants',
          Effect: 'Allow',
          Action: 'kms:CreateGrant',
          Resource: KEY,
          Condition: {
            'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] },
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt'], 'kms:GrantIsForAWSResource': 'true' },
    effect: 'ALLOW',
    reason: /^allowed by identity policy "grants" statement "LimitGrants", which key policy statement/,
    conditional: true,
  },
  {
    name: 'should deny when an identity policy limits kms:GrantOperations and the grant asks for more',
    keyPolicy: [ENABLE_IAM],
    identity: {
      grants: [
        {
          Sid: 'LimitGrants',
          Effect: 'Allow',
          Action: 'kms:CreateGrant',
          Resource: KEY,
          Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } },
        },
      ],
    },
    principal: ALICE,
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt', 'CreateGrant'] },
    effect: 'DENY',
    reason:
      /^implicit deny: key policy statement "Enable IAM User Permissions" allows account 111122223333, but no identity policy/,
    conditional: true,
  },
];

const CASES: readonly EvaluationCase[] = [
  ...keyPolicyCases,
  ...crossAccountCases,
  ...denyCases,
  ...notElementCases,
  ...actionCases,
  ...keylessCases,
  ...grantCases,
  ...conditionalCases,
];

/** Identity policies named "old" are written in Version 2008-10-17; all others in 2012-10-17. */
function compileAll(c: EvaluationCase) {
  return {
    ...(c.keyPolicy
      ? { keyPolicy: compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: c.keyPolicy }), 'key') }
      : {}),
    identityPolicies: Object.entries(c.identity ?? {}).map(([name, statements]) => ({
      name,
      policy: compilePolicy(
        JSON.stringify({ Version: name === 'old' ? '2008-10-17' : '2012-10-17', Statement: statements }),
        'identity',
      ),
    })),
    grants: c.grants ?? [],
  };
}

describe('evaluate (evaluation order table)', () => {
  it('should hold unique case names when the table is built', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((x) => x.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name', (c) => {
    const decision = evaluate(compileAll(c), {
      principalArn: c.principal,
      action: c.action,
      resource: c.resource ?? KEY,
      context: c.context ?? {},
      ...(c.encryptionContext ? { encryptionContext: c.encryptionContext } : {}),
    });
    expect(decision.effect).toBe(c.effect);
    if (typeof c.reason === 'string') expect(decision.reason).toBe(c.reason);
    else expect(decision.reason).toMatch(c.reason);
    expect(decision.conditional).toBe(c.conditional);
  });
});
