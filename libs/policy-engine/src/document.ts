import { type CompiledCondition, compileConditions } from './conditions.js';
import type { PreparedRequest } from './context.js';
import { MalformedPolicyError, malformedUnless } from './errors.js';
import { hasVariables, substitute } from './variables.js';
import { wildcardMatcher } from './wildcard.js';

/** AWS KMS's limit on a key policy; identity policies are held to the same. */
export const MAX_POLICY_BYTES = 32_768;

export type PolicyKind = 'key' | 'identity';

/** How a statement's Principal named the caller: the caller itself or everyone, or the caller's whole account. */
export type PrincipalMatch = 'direct' | 'account';

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** How the statement's Principal / NotPrincipal covers the caller; undefined when it does not (or is absent). */
  principal(principalArn: string, principalAccount: string | undefined): PrincipalMatch | undefined;
  /** Action / NotAction and Resource / NotResource cover the request, and every condition holds. */
  applies(req: PreparedRequest): boolean;
  readonly conditions: readonly CompiledCondition[];
}

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly version: string;
  readonly statements: readonly CompiledStatement[];
  /** Some statement has a condition or a policy variable: decisions under it depend on more than who and what. */
  readonly conditional: boolean;
}

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ALLOWED_CHARS = /^[\t\n\r\u0020-\u00FF]*$/u;
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const ACCOUNT = /^\d{12}$/;

/**
 * Actions that a key policy's Allow grants only by naming them: no wildcard (`kms:*`, `kms:Shred*`) and no NotAction
 * reaches them, so the default key policy and every broad administrator statement leave them denied. ShredKey cannot
 * be undone. Lower-case; a Deny still matches them by wildcard.
 */
export const EXPLICIT_ONLY_ACTIONS: ReadonlySet<string> = new Set(['kms:shredkey']);
const IAM_ARN = /^arn:aws:iam::(\d{12}):(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;

/**
 * Parses and validates a policy document in the AWS access policy language, and compiles it for evaluation.
 * Throws MalformedPolicyError naming the statement and element that is wrong.
 */
export function compilePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  malformedUnless(typeof text === 'string' && text.trim().length > 0, 'The policy document is empty');
  malformedUnless(
    new TextEncoder().encode(text).length <= MAX_POLICY_BYTES,
    `The policy document is larger than ${MAX_POLICY_BYTES} bytes`,
  );
  malformedUnless(
    ALLOWED_CHARS.test(text),
    'The policy document has a character outside tab, line feed, carriage return and U+0020 to U+00FF',
  );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MalformedPolicyError('The policy document is not valid JSON');
  }
  malformedUnless(
    typeof doc === 'object' && doc !== null && !Array.isArray(doc),
    'The policy must be a JSON object',
  );
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) {
    malformedUnless(['Version', 'Id', 'Statement'].includes(k), `Unknown policy element ${k}`);
  }
  const version = top['Version'] ?? '2008-10-17';
  malformedUnless(
    version === '2012-10-17' || version === '2008-10-17',
    'Version must be "2012-10-17" or "2008-10-17"',
  );
  malformedUnless(top['Id'] === undefined || typeof top['Id'] === 'string', 'Id must be a string');
  const raw = top['Statement'];
  malformedUnless(raw !== undefined, 'The policy has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  malformedUnless(list.length > 0, 'The policy has no Statement');
  const variables = version === '2012-10-17';
  const sids = new Set<string>();
  const statements = list.map((s, i) => compileStatement(s, i, kind, variables, sids));
  const conditional = statements.some((s) => s.conditions.length > 0) || (variables && text.includes('${'));
  return { kind, version, statements, conditional };
}

function stringList(value: unknown, where: string, element: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  malformedUnless(
    list.length > 0 && list.every((v) => typeof v === 'string' && v.length > 0),
    `${where}: ${element} must be a non-empty string or a non-empty list of them`,
  );
  return list as string[];
}

function compileStatement(
  raw: unknown,
  index: number,
  kind: PolicyKind,
  variables: boolean,
  sids: Set<string>,
): CompiledStatement {
  let where = `Statement ${index + 1}`;
  malformedUnless(
    typeof raw === 'object' && raw !== null && !Array.isArray(raw),
    `${where} must be an object`,
  );
  const s = raw as Record<string, unknown>;
  const sid = s['Sid'];
  if (sid !== undefined) {
    malformedUnless(typeof sid === 'string', `${where}: Sid must be a string`);
    where = `Statement ${index + 1} ("${sid}")`;
    malformedUnless(!sids.has(sid), `${where}: Sid is used by another statement`);
    sids.add(sid);
  }
  for (const k of Object.keys(s))
    malformedUnless(STATEMENT_ELEMENTS.has(k), `${where}: unknown element ${k}`);
  const effect = s['Effect'];
  malformedUnless(effect === 'Allow' || effect === 'Deny', `${where}: Effect must be "Allow" or "Deny"`);

  const hasP = s['Principal'] !== undefined;
  const hasNP = s['NotPrincipal'] !== undefined;
  if (kind === 'identity') {
    malformedUnless(!hasP && !hasNP, `${where}: an identity policy cannot have a Principal or NotPrincipal`);
  } else {
    malformedUnless(
      hasP !== hasNP,
      `${where}: a key policy statement needs exactly one of Principal and NotPrincipal`,
    );
  }
  const principals =
    hasP || hasNP ? compilePrincipal(s[hasP ? 'Principal' : 'NotPrincipal'], where) : undefined;

  malformedUnless(
    (s['Action'] !== undefined) !== (s['NotAction'] !== undefined),
    `${where}: needs exactly one of Action and NotAction`,
  );
  const notAction = s['NotAction'] !== undefined;
  const actionPatterns = stringList(
    s[notAction ? 'NotAction' : 'Action'],
    where,
    notAction ? 'NotAction' : 'Action',
  );
  for (const a of actionPatterns) malformedUnless(ACTION.test(a), `${where}: invalid action "${a}"`);
  const actionMatchers = actionPatterns.map((a) => wildcardMatcher(a, true));
  const explicitOnly = kind === 'key' && effect === 'Allow';
  const named = new Set(notAction ? [] : actionPatterns.map((a) => a.toLowerCase()));

  malformedUnless(
    (s['Resource'] !== undefined) !== (s['NotResource'] !== undefined),
    `${where}: needs exactly one of Resource and NotResource`,
  );
  const notResource = s['NotResource'] !== undefined;
  const resourcePatterns = stringList(
    s[notResource ? 'NotResource' : 'Resource'],
    where,
    notResource ? 'NotResource' : 'Resource',
  );
  for (const r of resourcePatterns) {
    malformedUnless(r === '*' || r.startsWith('arn:'), `${where}: Resource "${r}" must be "*" or an ARN`);
  }
  const resourceMatch = resourceMatcher(resourcePatterns, variables);
  const conditions = s['Condition'] === undefined ? [] : compileConditions(s['Condition'], where, variables);

  return {
    index,
    ...(typeof sid === 'string' ? { sid } : {}),
    effect,
    conditions,
    principal(arn, account) {
      if (!principals) return undefined;
      const match = principals(arn, account);
      if (hasP) return match;
      // NotPrincipal: everyone the list does not name. An account in the list spares the account principal (its
      // root), not its users and roles: AWS checks the account and then the user, so both must be listed.
      const spared = match === 'direct' || (match === 'account' && arn === `arn:aws:iam::${account}:root`);
      return spared ? undefined : 'direct';
    },
    applies(req) {
      const action = req.request.action;
      const lower = action.toLowerCase();
      if (explicitOnly && EXPLICIT_ONLY_ACTIONS.has(lower)) {
        if (!named.has(lower)) return false;
      } else if (actionMatchers.some((m) => m(action)) === notAction) return false;
      const resourceHit = resourceMatch(req);
      if (resourceHit === notResource) return false;
      for (const c of conditions) if (!c.test(req)) return false;
      return true;
    },
  };
}

/**
 * A key policy names the resource it is attached to, so `*` there means the key; an identity policy's Resource is
 * matched against the key ARN (or `*` for actions without a resource).
 */
function resourceMatcher(patterns: string[], variables: boolean): (req: PreparedRequest) => boolean {
  const dynamic = variables && patterns.some(hasVariables);
  if (!dynamic) {
    const ms = patterns.map((p) => wildcardMatcher(p, false));
    return (req) => ms.some((m) => m(req.request.resource));
  }
  return (req) =>
    patterns.some((p) => {
      const resolved = substitute(p, req);
      return resolved !== undefined && wildcardMatcher(resolved, false)(req.request.resource);
    });
}

function compilePrincipal(
  value: unknown,
  where: string,
): (arn: string, account: string | undefined) => PrincipalMatch | undefined {
  if (value === '*') return () => 'direct';
  malformedUnless(
    typeof value === 'object' && value !== null && !Array.isArray(value),
    `${where}: Principal must be "*" or an object such as {"AWS": ...}`,
  );
  const entries = Object.entries(value as Record<string, unknown>);
  malformedUnless(entries.length > 0, `${where}: Principal is empty`);
  const accounts = new Set<string>();
  const arns = new Set<string>();
  let everyone = false;
  for (const [type, v] of entries) {
    malformedUnless(
      ['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type),
      `${where}: unknown principal type ${type}`,
    );
    const names = stringList(v, where, `Principal ${type}`);
    if (type !== 'AWS') continue; // service and federated principals never call Symbolon
    for (const n of names) {
      if (n === '*') everyone = true;
      else if (ACCOUNT.test(n)) accounts.add(n);
      else {
        const m = IAM_ARN.exec(n);
        malformedUnless(m, `${where}: invalid principal "${n}" (an account id, "*" or an IAM ARN)`);
        if (m[2] === 'root') accounts.add(m[1]!);
        else arns.add(n);
      }
    }
  }
  return (arn, account) => {
    if (everyone || arns.has(arn)) return 'direct';
    if (account !== undefined && accounts.has(account)) return 'account';
    return undefined;
  };
}
