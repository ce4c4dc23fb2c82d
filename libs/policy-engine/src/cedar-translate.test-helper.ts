/**
 * Test helper: translates AWS KMS authorization (a key policy, the caller's identity policies, one request) into a
 * Cedar authorization call, so that Cedar can serve as an independent oracle for `evaluate`. Test code only.
 *
 * The subset (anything else throws OutsideSubsetError, so a generator bug cannot slip through silently):
 * - Statements: Effect Allow / Deny, Sid; Principal (key policy) as "*", {"AWS": x} or {"AWS": [x, ...]} where x is
 *   "*", a 12-digit account, an account root ARN or an IAM user ARN; Action as "*", "kms:*" or exact action names
 *   (any case); Resource "*" or an ARN without wildcards. No NotPrincipal / NotAction / NotResource, no variables.
 * - Conditions: StringEquals, StringNotEquals, StringLike (wildcard `*` only) on string keys
 *   (kms:EncryptionContext:<k>, kms:CallerAccount, aws:PrincipalArn); NumericLessThan / NumericGreaterThan on
 *   aws:MultiFactorAuthAge (integers); Bool on aws:SecureTransport; each also with IfExists. Several values for one
 *   key: any of them for a positive operator, none of them for a negated one.
 * - A key absent from the request is modelled with Cedar's `has`: AWS's rule (IAM User Guide, "Condition
 *   operators") is that a condition on an absent key is false, except that a negated operator (StringNotEquals) is
 *   true, and ...IfExists is true.
 * - Grants are left out (the table suite covers them).
 *
 * The encoding of KMS's combination rule, in ONE Cedar query (Cedar: any forbid that holds denies, else any permit
 * that holds allows, else deny). Each statement becomes a Cedar boolean expression `applies(S)` (action, resource
 * and conditions), and each key policy statement also `names(S)` (its Principal covers the caller: "*", the user ARN
 * or the caller's account) and `namesDirectly(S)` (only "*" or the user ARN):
 * - forbid when names(K) && applies(K), for every key policy Deny K;
 * - forbid when applies(I), for every identity policy Deny I (identity policies belong to the caller);
 * - permit when principal.account == resource.account && namesDirectly(K) && applies(K), for every key policy
 *   Allow K (the key policy alone suffices for a caller of the key's account);
 * - permit when names(K) && applies(K) && applies(I), for every pair of a key policy Allow K and an identity policy
 *   Allow I: the identity policy counts where the key policy allows the caller's account (delegation), and across
 *   accounts both must allow. The pair product keeps the conjunction of two statements inside Cedar rather than
 *   combining two Cedar answers in TypeScript, so no part of KMS's rule is re-implemented here in the engine's way.
 * A Cedar evaluation error (an attribute read without `has`) would silently skip a policy, so cedarDecision throws
 * on any diagnostic error.
 *
 * Entities: User::"<principal ARN>" { account }, Key::"<key ARN>" { account }, Action::"<lower-case action>" with
 * parent Action::"kms:*" for kms actions. Context: condition keys lower-cased (AWS treats names case-insensitively),
 * strings as strings, aws:MultiFactorAuthAge as a Long, aws:SecureTransport as a Boolean.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

import type { EvaluationRequest } from './context.js';

/** A policy, an action or a request the oracle cannot express: a generator or translation bug, not a verdict. */
export class OutsideSubsetError extends Error {
  override readonly name = 'OutsideSubsetError';
}

function inSubset(condition: unknown, message: string): asserts condition {
  if (!condition) throw new OutsideSubsetError(message);
}

export interface OracleInput {
  /** The key policy document (parsed JSON). */
  keyPolicy: unknown;
  /** The caller's identity policy documents (parsed JSON). */
  identityPolicies: readonly unknown[];
}

export interface TranslateOptions {
  /**
   * Deliberately WRONG semantics for the non-vacuity test: a negated operator on an absent key is false (AWS says
   * true). Never set it elsewhere.
   */
  wrongNegatedAbsent?: boolean;
}

export interface CedarQuery {
  call: cedar.AuthorizationCall;
  /** The Cedar policy text, for failure messages. */
  policyText: string;
}

type KeyType = 'string' | 'long' | 'bool';

/** The condition keys of the subset (lower case) and their types. */
function keyType(lowerKey: string): KeyType | undefined {
  if (/^kms:encryptioncontext:[a-z0-9_-]+$/.test(lowerKey)) return 'string';
  if (lowerKey === 'kms:calleraccount' || lowerKey === 'aws:principalarn') return 'string';
  if (lowerKey === 'aws:multifactorauthage') return 'long';
  if (lowerKey === 'aws:securetransport') return 'bool';
  return undefined;
}

interface OperatorSpec {
  type: KeyType;
  negated: boolean;
  /** The positive comparison of the context attribute `attr` with one policy value, in Cedar. */
  compare(attr: string, value: string): string;
}

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: { type: 'string', negated: false, compare: (a, v) => `${a} == ${cedarString(v)}` },
  StringNotEquals: { type: 'string', negated: true, compare: (a, v) => `${a} == ${cedarString(v)}` },
  StringLike: { type: 'string', negated: false, compare: (a, v) => `${a} like ${cedarPattern(v)}` },
  NumericLessThan: { type: 'long', negated: false, compare: (a, v) => `${a} < ${cedarLong(v)}` },
  NumericGreaterThan: { type: 'long', negated: false, compare: (a, v) => `${a} > ${cedarLong(v)}` },
  Bool: { type: 'bool', negated: false, compare: (a, v) => `${a} == ${cedarBool(v)}` },
};

const PRINTABLE = /^[\x20-\x7E]*$/;

function cedarString(s: string): string {
  inSubset(PRINTABLE.test(s), 'only printable ASCII strings');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A StringLike value as a Cedar `like` pattern: `*` stays a wildcard, everything else is literal. */
function cedarPattern(s: string): string {
  inSubset(PRINTABLE.test(s) && !s.includes('?') && !s.includes('$'), `StringLike value "${s}"`);
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function cedarLong(s: string): string {
  inSubset(/^\d{1,9}$/.test(s), `numeric value "${s}" (small non-negative integers only)`);
  return String(Number(s));
}

function cedarBool(s: string): string {
  inSubset(/^(true|false)$/i.test(s), `Bool value "${s}"`);
  return s.toLowerCase();
}

const ACCOUNT = /^\d{12}$/;
const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
const USER_ARN = /^arn:aws:iam::\d{12}:user\/[\w+=,.@-]+$/;

const or = (parts: string[]): string => (parts.length === 0 ? 'false' : `(${parts.join(' || ')})`);
const and = (parts: string[]): string => (parts.length === 0 ? 'true' : `(${parts.join(' && ')})`);

function asList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  inSubset(list.length > 0, `${what} is empty`);
  return list.map((v) => {
    inSubset(['string', 'number', 'boolean'].includes(typeof v), `${what} holds a ${typeof v}`);
    return String(v);
  });
}

interface Translated {
  effect: 'Allow' | 'Deny';
  applies: string;
  /** Key policy only. */
  names?: string;
  namesDirectly?: string;
}

/** Principal of a key policy statement: [names, namesDirectly]. */
function principalExpr(value: unknown): [string, string] {
  if (value === '*') return ['true', 'true'];
  inSubset(typeof value === 'object' && value !== null && !Array.isArray(value), 'Principal shape');
  const entries = Object.entries(value as Record<string, unknown>);
  inSubset(entries.length === 1 && entries[0]![0] === 'AWS', 'Principal must be {"AWS": ...}');
  const direct: string[] = [];
  const accounts: string[] = [];
  for (const p of asList(entries[0]![1], 'Principal AWS')) {
    const root = ROOT_ARN.exec(p);
    if (p === '*') direct.push('true');
    else if (ACCOUNT.test(p)) accounts.push(`principal.account == ${cedarString(p)}`);
    else if (root) accounts.push(`principal.account == ${cedarString(root[1]!)}`);
    else {
      inSubset(USER_ARN.test(p), `principal "${p}"`);
      direct.push(`principal == User::${cedarString(p)}`);
    }
  }
  return [or([...direct, ...accounts]), or(direct)];
}

function actionExpr(value: unknown): string {
  return or(
    asList(value, 'Action').map((a) => {
      if (a === '*') return 'true';
      if (a.toLowerCase() === 'kms:*') return 'action in Action::"kms:*"';
      inSubset(/^kms:[A-Za-z]+$/i.test(a), `action "${a}"`);
      return `action == Action::${cedarString(a.toLowerCase())}`;
    }),
  );
}

function resourceExpr(value: unknown): string {
  return or(
    asList(value, 'Resource').map((r) => {
      if (r === '*') return 'true';
      inSubset(/^arn:[\w:/-]+$/.test(r), `resource "${r}"`);
      return `resource == Key::${cedarString(r)}`;
    }),
  );
}

function conditionExpr(block: unknown, options: TranslateOptions): string {
  inSubset(typeof block === 'object' && block !== null && !Array.isArray(block), 'Condition shape');
  const parts: string[] = [];
  for (const [operatorText, keys] of Object.entries(block)) {
    const m = /^(\w+?)(IfExists)?$/.exec(operatorText);
    const spec = m ? OPERATORS[m[1]!] : undefined;
    inSubset(m && spec, `operator ${operatorText}`);
    const ifExists = m[2] !== undefined;
    inSubset(typeof keys === 'object' && keys !== null && !Array.isArray(keys), `${operatorText} shape`);
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const lower = key.toLowerCase();
      inSubset(keyType(lower) === spec.type, `${operatorText} on ${key}`);
      const attr = `context[${cedarString(lower)}]`;
      const present = `context has ${cedarString(lower)}`;
      const anyHit = or(asList(raw, `${operatorText} ${key}`).map((v) => spec.compare(attr, v)));
      // AWS: absent key -> false, but true for a negated operator or ...IfExists.
      const absentHolds = ifExists || (spec.negated && !options.wrongNegatedAbsent);
      const whenPresent = spec.negated ? `!${anyHit}` : anyHit;
      parts.push(absentHolds ? `(!(${present}) || ${whenPresent})` : `(${present} && ${whenPresent})`);
    }
  }
  return and(parts);
}

function statements(doc: unknown, kind: 'key' | 'identity', options: TranslateOptions): Translated[] {
  inSubset(typeof doc === 'object' && doc !== null && !Array.isArray(doc), 'policy shape');
  const raw = (doc as Record<string, unknown>)['Statement'];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s: unknown) => {
    inSubset(typeof s === 'object' && s !== null && !Array.isArray(s), 'statement shape');
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) {
      inSubset(['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition'].includes(k), `element ${k}`);
    }
    const effect = st['Effect'];
    inSubset(effect === 'Allow' || effect === 'Deny', 'Effect');
    const applies = and([
      actionExpr(st['Action']),
      resourceExpr(st['Resource']),
      ...(st['Condition'] === undefined ? [] : [conditionExpr(st['Condition'], options)]),
    ]);
    if (kind === 'identity') {
      inSubset(st['Principal'] === undefined, 'identity policy with a Principal');
      return { effect, applies };
    }
    const [names, namesDirectly] = principalExpr(st['Principal']);
    return { effect, applies, names, namesDirectly };
  });
}

function contextValue(lowerKey: string, value: unknown): cedar.CedarValueJson {
  const type = keyType(lowerKey);
  inSubset(type !== undefined && typeof value === 'string', `request context key ${lowerKey}`);
  if (type === 'long') return Number(cedarLong(value));
  if (type === 'bool') return cedarBool(value) === 'true';
  inSubset(PRINTABLE.test(value), 'only printable ASCII strings');
  return value;
}

/** The Cedar authorization call that decides `request` under `input` by KMS's rules (see the header). */
export function translateToCedar(
  input: OracleInput,
  request: EvaluationRequest,
  options: TranslateOptions = {},
): CedarQuery {
  const account = /^arn:aws:iam::(\d{12}):user\//.exec(request.principalArn)?.[1];
  inSubset(account !== undefined && USER_ARN.test(request.principalArn), 'callers are IAM users');
  const keyAccount = /^arn:aws:kms:[a-z0-9-]+:(\d{12}):key\/[\w-]+$/.exec(request.resource)?.[1];
  inSubset(keyAccount !== undefined, 'the request names a key ARN');
  inSubset(/^kms:[A-Za-z]+$/.test(request.action), `request action ${request.action}`);

  const key = statements(input.keyPolicy, 'key', options);
  const identity = input.identityPolicies.flatMap((d) => statements(d, 'identity', options));
  const rules: string[] = [];
  for (const k of key) {
    if (k.effect === 'Deny')
      rules.push(`forbid(principal, action, resource) when { ${k.names} && ${k.applies} };`);
  }
  for (const i of identity) {
    if (i.effect === 'Deny') rules.push(`forbid(principal, action, resource) when { ${i.applies} };`);
  }
  for (const k of key) {
    if (k.effect !== 'Allow') continue;
    rules.push(
      `permit(principal, action, resource) when { principal.account == resource.account && ${k.namesDirectly} && ${k.applies} };`,
    );
    for (const i of identity) {
      if (i.effect === 'Allow') {
        rules.push(
          `permit(principal, action, resource) when { ${k.names} && ${k.applies} && ${i.applies} };`,
        );
      }
    }
  }
  const policyText = rules.join('\n');

  const context: Record<string, cedar.CedarValueJson> = {};
  for (const [k, v] of Object.entries(request.context)) {
    const lower = k.toLowerCase();
    inSubset(!(lower in context), `request context names ${lower} twice`);
    context[lower] = contextValue(lower, v);
  }
  const actionId = request.action.toLowerCase();
  const principal = { type: 'User', id: request.principalArn };
  const resource = { type: 'Key', id: request.resource };
  const action = { type: 'Action', id: actionId };
  const call: cedar.AuthorizationCall = {
    principal,
    action,
    resource,
    context,
    policies: { staticPolicies: policyText },
    entities: [
      { uid: principal, attrs: { account }, parents: [] },
      { uid: resource, attrs: { account: keyAccount }, parents: [] },
      { uid: action, attrs: {}, parents: [{ type: 'Action', id: 'kms:*' }] },
      { uid: { type: 'Action', id: 'kms:*' }, attrs: {}, parents: [] },
    ],
  };
  return { call, policyText };
}

/** Cedar's decision as `evaluate` spells it; throws when Cedar fails or any policy errors (a translation bug). */
export function cedarDecision(query: CedarQuery): 'ALLOW' | 'DENY' {
  const answer = cedar.isAuthorized(query.call);
  if (answer.type !== 'success') {
    throw new Error(`Cedar failed: ${answer.errors.map((e) => e.message).join('; ')}\n${query.policyText}`);
  }
  const errors = answer.response.diagnostics.errors;
  if (errors.length > 0) {
    throw new Error(
      `Cedar policy errors: ${errors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ')}\n${query.policyText}`,
    );
  }
  return answer.response.decision === 'allow' ? 'ALLOW' : 'DENY';
}
