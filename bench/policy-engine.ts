/**
 * Decisions per second of libs/policy-engine on one core, with @cedar-policy/cedar-wasm as the baseline: a key policy
 * of 10 conditional statements, one identity policy and two grants, compiled once, and 11 requests (6 allowed,
 * 5 denied) decided round-robin. `benchKeyPolicy` is also the key policy the platform run attaches to its bench key
 * (run.ts). See bench/README.md.   node dist/bench/policy-engine.js
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EvaluatePolicyRequest } from '@symbolon/contracts';
import {
  type EvaluationRequest,
  type GrantRule,
  type PolicySet,
  compilePolicy,
  evaluate,
} from '@symbolon/policy-engine';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { conditionContext } from '../apps/policy/src/evaluation/condition-context.js';

/** The target of issue 4. */
export const ENGINE_TARGET_PER_S = 200_000;

const EXPIRY = '2099-12-31T23:59:59Z';
/** Where the bench requests come from: the loopback (the platform run) and a private network. */
const INTERNAL_NETS = ['127.0.0.0/8', '10.0.0.0/8', '::1/128'];
const LOOPBACK_NETS = ['127.0.0.0/8', '::1/128'];
const ADMIN_PATTERNS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * A realistic key policy of 10 statements, every one with conditions: key administrators (from internal networks),
 * use of the key by `principalArn` only with the encryption context the bench load sends (purpose = bench and a
 * tenant* key), application roles of the account through their identity policies, grants for AWS resources, a
 * partner account's Decrypt, auditors over TLS, and four Denies (plaintext transport off the host, contractors
 * doing anything but crypto (NotAction), retired tenants, use after the key's expiry). The bench Encrypt of
 * `principalArn` from the loopback is allowed by "AllowUseOfTheKey", after every Deny has been tested.
 */
export function benchKeyPolicy(accountId: string, principalArn: string): string {
  const root = `arn:aws:iam::${accountId}:root`;
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'symbolon-bench-key-policy',
    Statement: [
      {
        Sid: 'KeyAdministrators',
        Effect: 'Allow',
        Principal: { AWS: [principalArn, `arn:aws:iam::${accountId}:role/KeyAdmin`] },
        Action: ADMIN_PATTERNS,
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': INTERNAL_NETS } },
      },
      {
        Sid: 'AllowUseOfTheKey',
        Effect: 'Allow',
        Principal: { AWS: principalArn },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:EncryptionContext:purpose': 'bench', 'kms:CallerAccount': accountId },
          'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': ['tenant*'] },
          IpAddress: { 'aws:SourceIp': INTERNAL_NETS },
          DateLessThan: { 'aws:CurrentTime': EXPIRY },
        },
      },
      {
        Sid: 'AllowApplicationRoles',
        Effect: 'Allow',
        Principal: { AWS: root },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${accountId}:role/app-*` },
          StringLike: { 'kms:EncryptionContext:tenant': 'tenant-*' },
        },
      },
      {
        Sid: 'AllowAttachmentOfPersistentResources',
        Effect: 'Allow',
        Principal: { AWS: [principalArn, `arn:aws:iam::${accountId}:role/app-batch`] },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Sid: 'AllowPartnerDecrypt',
        Effect: 'Allow',
        Principal: { AWS: '444455556666' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': '444455556666', 'kms:EncryptionContext:tenant': 'partner' },
        },
      },
      {
        Sid: 'AllowAuditors',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:role/Auditor` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
        Condition: { DateLessThan: { 'aws:CurrentTime': EXPIRY }, Bool: { 'aws:SecureTransport': 'true' } },
      },
      {
        Sid: 'DenyPlaintextTransportOffHost',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: {
          Bool: { 'aws:SecureTransport': 'false' },
          NotIpAddress: { 'aws:SourceIp': LOOPBACK_NETS },
        },
      },
      {
        Sid: 'DenyContractorsAllButCrypto',
        Effect: 'Deny',
        Principal: '*',
        NotAction: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/contractor-*' } },
      },
      {
        Sid: 'DenyRetiredTenants',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:EncryptionContext:tenant': ['retired-tenant', 'suspended-tenant'] },
        },
      },
      {
        Sid: 'DenyUseAfterExpiry',
        Effect: 'Deny',
        Principal: '*',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { DateGreaterThan: { 'aws:CurrentTime': EXPIRY } },
      },
    ],
  });
}

// ---- the engine's inputs ----

const ACCOUNT = '111122223333';
const PARTNER = '444455556666';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const arn = (account: string, name: string) => `arn:aws:iam::${account}:${name}`;
const ADMIN = arn(ACCOUNT, 'user/admin');
const APP_FRONTEND = arn(ACCOUNT, 'role/app-frontend');
const APP_BATCH = arn(ACCOUNT, 'role/app-batch');
const REPORTING = arn(ACCOUNT, 'user/reporting');
const CONTRACTOR = arn(ACCOUNT, 'user/contractor-1');
const AUDITOR = arn(ACCOUNT, 'role/Auditor');
const PARTNER_USER = arn(PARTNER, 'user/partner');

const IDENTITY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AppCryptoFromInside',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`,
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    },
    {
      Sid: 'NeverDeleteKeys',
      Effect: 'Deny',
      Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      Resource: '*',
    },
  ],
});

const GRANTS: GrantRule[] = [
  {
    grantId: 'grant-batch',
    granteePrincipal: APP_BATCH,
    operations: ['Decrypt', 'GenerateDataKey'],
    constraints: { encryptionContextSubset: { tenant: 'batch' } },
  },
  {
    grantId: 'grant-reporting',
    granteePrincipal: REPORTING,
    operations: ['Encrypt', 'Decrypt'],
    constraints: { encryptionContextEquals: { purpose: 'report', tenant: 'tenant-7' } },
  },
];

interface BenchRequest {
  principal: string;
  action: string;
  sourceIp: string;
  secureTransport: boolean;
  encryptionContext?: Record<string, string>;
  expected: 'ALLOW' | 'DENY';
}

/** 6 allowed and 5 denied, each decided by a different statement or grant. */
const REQUESTS: BenchRequest[] = [
  // The platform run's request: AllowUseOfTheKey.
  {
    principal: ADMIN,
    action: 'kms:Encrypt',
    sourceIp: '127.0.0.1',
    secureTransport: false,
    encryptionContext: { purpose: 'bench', tenant: 'bench-tenant' },
    expected: 'ALLOW',
  },
  // The same over plain HTTP from off the host: DenyPlaintextTransportOffHost.
  {
    principal: ADMIN,
    action: 'kms:Encrypt',
    sourceIp: '203.0.113.9',
    secureTransport: false,
    encryptionContext: { purpose: 'bench', tenant: 'bench-tenant' },
    expected: 'DENY',
  },
  // DenyRetiredTenants.
  {
    principal: ADMIN,
    action: 'kms:Decrypt',
    sourceIp: '10.1.2.3',
    secureTransport: true,
    encryptionContext: { purpose: 'bench', tenant: 'retired-tenant' },
    expected: 'DENY',
  },
  // AllowApplicationRoles together with the identity policy.
  {
    principal: APP_FRONTEND,
    action: 'kms:Encrypt',
    sourceIp: '10.0.4.4',
    secureTransport: true,
    encryptionContext: { tenant: 'tenant-42' },
    expected: 'ALLOW',
  },
  // AllowApplicationRoles, but the identity policy does not allow from outside: implicit deny.
  {
    principal: APP_FRONTEND,
    action: 'kms:Decrypt',
    sourceIp: '192.0.2.1',
    secureTransport: true,
    encryptionContext: { tenant: 'tenant-42' },
    expected: 'DENY',
  },
  // DenyContractorsAllButCrypto (NotAction).
  {
    principal: CONTRACTOR,
    action: 'kms:PutKeyPolicy',
    sourceIp: '10.0.0.5',
    secureTransport: true,
    expected: 'DENY',
  },
  // grant-batch (subset constraint).
  {
    principal: APP_BATCH,
    action: 'kms:Decrypt',
    sourceIp: '192.0.2.7',
    secureTransport: true,
    encryptionContext: { tenant: 'batch', job: 'nightly' },
    expected: 'ALLOW',
  },
  // grant-reporting (equals constraint).
  {
    principal: REPORTING,
    action: 'kms:Encrypt',
    sourceIp: '10.9.9.9',
    secureTransport: true,
    encryptionContext: { purpose: 'report', tenant: 'tenant-7' },
    expected: 'ALLOW',
  },
  // Another account: AllowPartnerDecrypt and its identity policy both allow.
  {
    principal: PARTNER_USER,
    action: 'kms:Decrypt',
    sourceIp: '10.20.30.40',
    secureTransport: true,
    encryptionContext: { tenant: 'partner' },
    expected: 'ALLOW',
  },
  // AllowAuditors.
  {
    principal: AUDITOR,
    action: 'kms:DescribeKey',
    sourceIp: '10.0.0.8',
    secureTransport: true,
    expected: 'ALLOW',
  },
  // KeyAdministrators allows, the identity policy's NeverDeleteKeys denies.
  {
    principal: ADMIN,
    action: 'kms:ScheduleKeyDeletion',
    sourceIp: '127.0.0.1',
    secureTransport: false,
    expected: 'DENY',
  },
];

/** The request as apps/policy hands it to the engine: the same condition keys, the same instant for every run. */
function engineRequest(r: BenchRequest, now: Date): EvaluationRequest {
  const req: EvaluatePolicyRequest = {
    requestId: 'bench',
    tenantId: 'bench',
    principal: r.principal,
    sourceIp: r.sourceIp,
    secureTransport: r.secureTransport,
    action: r.action,
    keyArn: KEY_ARN,
    keyAccountId: ACCOUNT,
    ...(r.encryptionContext ? { encryptionContext: r.encryptionContext } : {}),
  } as EvaluatePolicyRequest;
  return {
    principalArn: r.principal,
    action: r.action,
    resource: KEY_ARN,
    context: conditionContext(req, now),
    ...(r.encryptionContext ? { encryptionContext: r.encryptionContext } : {}),
  };
}

// ---- the Cedar translation, by hand ----

/** The KMS actions the Cedar version names (wildcards of the key policy expanded over this list). */
const KMS_ACTIONS = [
  'CancelKeyDeletion',
  'CreateAlias',
  'CreateGrant',
  'Decrypt',
  'DeleteAlias',
  'DescribeKey',
  'DisableKey',
  'DisableKeyRotation',
  'EnableKey',
  'EnableKeyRotation',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'ListAliases',
  'ListGrants',
  'ListKeyPolicies',
  'ListResourceTags',
  'PutKeyPolicy',
  'ReEncryptFrom',
  'ReEncryptTo',
  'RevokeGrant',
  'ScheduleKeyDeletion',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateKeyDescription',
].map((a) => `kms:${a}`);

/** `action in [...]` for the KMS actions matching these patterns (`*` only, as the key policy uses them). */
function actionIn(patterns: string[]): string {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/\*/g, '.*')}$`));
  const names = KMS_ACTIONS.filter((a) => res.some((re) => re.test(a)));
  if (names.length === 0) throw new Error(`no action matches ${patterns.join(', ')}`);
  return `action in [${names.map((a) => `Action::"${a}"`).join(', ')}]`;
}

const inNets = (nets: string[]) =>
  `(${nets.map((n) => `context.sourceIp.isInRange(ip("${n}"))`).join(' || ')})`;
const ecIs = (key: string, test: string) => `(context has ec && context.ec has ${key} && ${test})`;

/**
 * The same authorization in Cedar, written by hand after the key policy, identity policy and grants above, in
 * KMS's combination rule (as libs/policy-engine's Cedar oracle encodes it: Denies as forbids; a key policy Allow
 * naming the caller directly permits for the key's account; any key policy Allow together with the identity
 * policy's Allow permits; a grant permits its grantee). Simpler than the AWS text in one place:
 * ForAnyValue:StringLike kms:EncryptionContextKeys "tenant*" becomes `ecKeys.contains("tenant")` (Cedar has no
 * `like` over a set); the requests carry no other tenant* key, so the decisions are the same (checked at start).
 */
function cedarPolicies(): string {
  const user = (a: string) => `Principal::"${a}"`;
  const notExpired = `context.now < datetime("${EXPIRY}")`;
  const keyAllows: { names: string; direct: string; applies: string }[] = [
    {
      // KeyAdministrators
      direct: `(principal == ${user(ADMIN)} || principal == ${user(arn(ACCOUNT, 'role/KeyAdmin'))})`,
      names: 'true',
      applies: `${actionIn(ADMIN_PATTERNS)} && ${inNets(INTERNAL_NETS)}`,
    },
    {
      // AllowUseOfTheKey
      direct: `principal == ${user(ADMIN)}`,
      names: 'true',
      applies:
        `${actionIn(['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'])} && ` +
        `${ecIs('purpose', 'context.ec.purpose == "bench"')} && context.callerAccount == "${ACCOUNT}" && ` +
        `context has ecKeys && context.ecKeys.contains("tenant") && ${inNets(INTERNAL_NETS)} && ${notExpired}`,
    },
    {
      // AllowApplicationRoles (the account: counts with the identity policy only)
      direct: 'false',
      names: `principal.account == "${ACCOUNT}"`,
      applies:
        `${actionIn(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'])} && ` +
        `context.principalArn like "arn:aws:iam::${ACCOUNT}:role/app-*" && ${ecIs('tenant', 'context.ec.tenant like "tenant-*"')}`,
    },
    {
      // AllowAttachmentOfPersistentResources
      direct: `(principal == ${user(ADMIN)} || principal == ${user(APP_BATCH)})`,
      names: 'true',
      applies:
        `${actionIn(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'])} && ` +
        `context has grantIsForAwsResource && context.grantIsForAwsResource == true`,
    },
    {
      // AllowPartnerDecrypt (another account)
      direct: 'false',
      names: `principal.account == "${PARTNER}"`,
      applies:
        `action == Action::"kms:Decrypt" && context.callerAccount == "${PARTNER}" && ` +
        ecIs('tenant', 'context.ec.tenant == "partner"'),
    },
    {
      // AllowAuditors
      direct: `principal == ${user(AUDITOR)}`,
      names: 'true',
      applies: `${actionIn(['kms:Describe*', 'kms:Get*', 'kms:List*'])} && ${notExpired} && context.secureTransport == true`,
    },
  ];
  const identityAllow =
    `${actionIn(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'])} && ` +
    `resource.arn like "arn:aws:kms:us-east-1:${ACCOUNT}:key/*" && context.sourceIp.isInRange(ip("10.0.0.0/8"))`;
  const rules = [
    // DenyPlaintextTransportOffHost
    `forbid(principal, action, resource) when { context.secureTransport == false && !${inNets(LOOPBACK_NETS)} };`,
    // DenyContractorsAllButCrypto
    `forbid(principal, action, resource) when { !(${actionIn(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'])}) && context.principalArn like "arn:aws:iam::*:user/contractor-*" };`,
    // DenyRetiredTenants
    `forbid(principal, action, resource) when { ${ecIs('tenant', '(context.ec.tenant == "retired-tenant" || context.ec.tenant == "suspended-tenant")')} };`,
    // DenyUseAfterExpiry
    `forbid(principal, action, resource) when { ${actionIn(['kms:Encrypt', 'kms:GenerateDataKey*'])} && context.now > datetime("${EXPIRY}") };`,
    // identity policy NeverDeleteKeys
    `forbid(principal, action, resource) when { ${actionIn(['kms:ScheduleKeyDeletion', 'kms:DisableKey'])} };`,
  ];
  for (const k of keyAllows) {
    if (k.direct !== 'false') {
      rules.push(
        `permit(principal, action, resource) when { principal.account == resource.account && ${k.direct} && ${k.applies} };`,
      );
    }
    const names = k.direct === 'false' ? k.names : `(${k.direct})`;
    rules.push(`permit(principal, action, resource) when { ${names} && ${k.applies} && ${identityAllow} };`);
  }
  // grant-batch, grant-reporting
  rules.push(
    `permit(principal == ${user(APP_BATCH)}, action in [Action::"kms:Decrypt", Action::"kms:GenerateDataKey"], resource) when { ${ecIs('tenant', 'context.ec.tenant == "batch"')} };`,
    `permit(principal == ${user(REPORTING)}, action in [Action::"kms:Encrypt", Action::"kms:Decrypt"], resource) when { context has ecKeys && context.ecKeys == ["purpose", "tenant"] && context.ec.purpose == "report" && context.ec.tenant == "tenant-7" };`,
  );
  return rules.join('\n');
}

const POLICY_SET_ID = 'symbolon-bench';

function cedarCall(r: BenchRequest, now: Date): cedar.StatefulAuthorizationCall {
  const account = /^arn:aws:iam::(\d{12}):/.exec(r.principal)![1]!;
  const principal = { type: 'Principal', id: r.principal };
  const resource = { type: 'Key', id: KEY_ARN };
  const action = { type: 'Action', id: r.action };
  const context: cedar.Context = {
    principalArn: r.principal,
    callerAccount: account,
    sourceIp: { __extn: { fn: 'ip', arg: r.sourceIp } },
    secureTransport: r.secureTransport,
    now: { __extn: { fn: 'datetime', arg: now.toISOString() } },
    ...(r.encryptionContext ? { ec: r.encryptionContext, ecKeys: Object.keys(r.encryptionContext) } : {}),
  };
  return {
    principal,
    action,
    resource,
    context,
    preparsedPolicySetId: POLICY_SET_ID,
    entities: [
      { uid: principal, attrs: { account }, parents: [] },
      { uid: resource, attrs: { account: ACCOUNT, arn: KEY_ARN }, parents: [] },
    ],
  };
}

function cedarDecide(call: cedar.StatefulAuthorizationCall): 'ALLOW' | 'DENY' {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success')
    throw new Error(`Cedar failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  const errors = answer.response.diagnostics.errors;
  if (errors.length > 0) {
    throw new Error(
      `Cedar policy errors: ${errors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ')}`,
    );
  }
  return answer.response.decision === 'allow' ? 'ALLOW' : 'DENY';
}

// ---- timing ----

export interface PolicyEngineOptions {
  /** Decisions per timed round of the engine (Cedar gets a tenth). */
  iterations: number;
  rounds: number;
}

export interface DeciderResult {
  decider: string;
  /** Median over the rounds. */
  decisionsPerSec: number;
  usPerDecision: number;
  roundsPerSec: number[];
  decisionsPerRound: number;
}

export interface PolicyEngineResult {
  keyPolicyStatements: number;
  identityPolicies: number;
  grants: number;
  requests: number;
  allowed: number;
  denied: number;
  engine: DeciderResult;
  cedar: DeciderResult;
  /** engine / cedar decisions per second. */
  ratio: number;
  targetPerSec: number;
  met: boolean;
  note: string;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `decide(i)` for i = 0..n-1: one untimed warm-up round, then `rounds` timed ones. Returns decisions/s per
 * round. `decide` returns whether it allowed, so the work cannot be optimised away; the allow count is checked.
 */
function time(n: number, rounds: number, expectedAllows: number, decide: (i: number) => boolean): number[] {
  const run = (): number => {
    let allows = 0;
    for (let i = 0; i < n; i++) if (decide(i)) allows++;
    if (allows !== expectedAllows)
      throw new Error(`decisions drifted: ${allows} allows, expected ${expectedAllows}`);
    return allows;
  };
  run();
  const perSec: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run();
    perSec.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return perSec;
}

function deciderResult(decider: string, n: number, perSec: number[]): DeciderResult {
  const m = median(perSec);
  return {
    decider,
    decisionsPerSec: Math.round(m),
    usPerDecision: Math.round(1e8 / m) / 100,
    roundsPerSec: perSec.map(Math.round),
    decisionsPerRound: n,
  };
}

/** Compiles once, checks that the engine and Cedar decide every request as expected, then times both. */
export function runPolicyEngineBench(opts: PolicyEngineOptions): PolicyEngineResult {
  const now = new Date();
  const keyPolicy = compilePolicy(benchKeyPolicy(ACCOUNT, ADMIN), 'key');
  const set: PolicySet = {
    keyPolicy,
    identityPolicies: [{ name: 'app-access', policy: compilePolicy(IDENTITY_POLICY, 'identity') }],
    grants: GRANTS,
  };
  const parsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: cedarPolicies() });
  if (parsed.type !== 'success') {
    throw new Error(`Cedar policy does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  const engineRequests = REQUESTS.map((r) => engineRequest(r, now));
  const cedarCalls = REQUESTS.map((r) => cedarCall(r, now));
  REQUESTS.forEach((r, i) => {
    const e = evaluate(set, engineRequests[i]!);
    const c = cedarDecide(cedarCalls[i]!);
    if (e.effect !== r.expected || c !== r.expected || !e.conditional) {
      throw new Error(
        `request ${i + 1} (${r.action} by ${r.principal}): expected ${r.expected}, engine ${e.effect}` +
          ` (${e.reason}, conditional ${e.conditional}), Cedar ${c}`,
      );
    }
  });
  const allowedIdx = REQUESTS.map((r) => r.expected === 'ALLOW');
  const allowsIn = (n: number) => {
    let a = 0;
    for (let i = 0; i < n; i++) if (allowedIdx[i % REQUESTS.length]) a++;
    return a;
  };
  const k = REQUESTS.length;
  const nEngine = opts.iterations;
  const nCedar = Math.max(k, Math.round(opts.iterations / 10));
  const engine = time(
    nEngine,
    opts.rounds,
    allowsIn(nEngine),
    (i) => evaluate(set, engineRequests[i % k]!).effect === 'ALLOW',
  );
  const cedarRounds = time(
    nCedar,
    opts.rounds,
    allowsIn(nCedar),
    (i) => cedarDecide(cedarCalls[i % k]!) === 'ALLOW',
  );
  const e = deciderResult('policy engine: evaluate()', nEngine, engine);
  const c = deciderResult(
    `cedar-wasm ${cedar.getCedarVersion()}: statefulIsAuthorized()`,
    nCedar,
    cedarRounds,
  );
  return {
    keyPolicyStatements: keyPolicy.statements.length,
    identityPolicies: set.identityPolicies.length,
    grants: set.grants.length,
    requests: k,
    allowed: allowedIdx.filter(Boolean).length,
    denied: allowedIdx.filter((a) => !a).length,
    engine: e,
    cedar: c,
    ratio: Math.round((100 * e.decisionsPerSec) / c.decisionsPerSec) / 100,
    targetPerSec: ENGINE_TARGET_PER_S,
    met: e.decisionsPerSec >= ENGINE_TARGET_PER_S,
    note:
      'Cedar: the same policies translated by hand and preparsed once; ForAnyValue:StringLike kms:EncryptionContextKeys "tenant*" ' +
      'as ecKeys.contains("tenant") (same decisions on these requests); per call Cedar also gets the request entities and context as JSON',
  };
}

/** The report, in the style of run.ts's table. */
export function printPolicyEngine(r: PolicyEngineResult): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `\nPolicy decisions, one core: key policy of ${r.keyPolicyStatements} conditional statements, ${r.identityPolicies} identity policy, ` +
      `${r.grants} grants; ${r.requests} requests (${r.allowed} allowed, ${r.denied} denied) round-robin; median of ${r.engine.roundsPerSec.length} rounds after a warm-up\n`,
  );
  console.log(
    `${'decider'.padEnd(46)}${pad('decisions/s', 13)}${pad('us/decision', 13)}  rounds (decisions/s)`,
  );
  for (const d of [r.engine, r.cedar]) {
    console.log(
      `${d.decider.padEnd(46)}${pad(d.decisionsPerSec, 13)}${pad(d.usPerDecision, 13)}  ${d.roundsPerSec.join(' ')}`,
    );
  }
  console.log(`\nengine/cedar decisions/s: ${r.ratio}`);
  console.log(`(${r.note})`);
  console.log(
    `target "policy engine >= ${r.targetPerSec.toLocaleString('en-US')} decisions/s": ${r.met ? 'MET' : 'NOT MET'}`,
  );
}

function positive(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
}

export function policyEngineOptions(): PolicyEngineOptions {
  return {
    iterations: positive('BENCH_POLICY_ITERATIONS', 200_000),
    rounds: positive('BENCH_POLICY_ROUNDS', 7),
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printPolicyEngine(runPolicyEngineBench(policyEngineOptions()));
}
