import { type EvaluationRequest, PreparedRequest } from './context.js';
import type { CompiledPolicy, CompiledStatement } from './document.js';
import { type GrantRule, grantCovers } from './grants.js';

/** The policies that apply to one request: the key's policy (none for actions without a key), the caller's. */
export interface PolicySet {
  keyPolicy?: CompiledPolicy;
  identityPolicies: readonly { name: string; policy: CompiledPolicy }[];
  grants: readonly GrantRule[];
}

export interface Decision {
  effect: 'ALLOW' | 'DENY';
  /** Which statement or grant decided, in words fit for the audit record. */
  reason: string;
  /**
   * The decision may change with the request's context (a condition, a policy variable or a grant constraint is in
   * play): it may not be reused for another request of the same principal, action and key.
   */
  conditional: boolean;
}

interface Found {
  statement: CompiledStatement;
  source: string;
}

/** Stands for the identity-policy allow an account's root principal has without any identity policy. */
const ROOT: Found = { statement: undefined as unknown as CompiledStatement, source: 'root' };

function label(f: Found): string {
  if (f === ROOT) return "the account's root principal";
  const s = f.statement;
  return `${f.source} statement ${s.sid !== undefined ? `"${s.sid}"` : `#${s.index + 1}`}`;
}

/**
 * AWS's evaluation order for KMS: an explicit Deny in the key policy or the caller's identity policies wins; then an
 * Allow from the key policy naming the caller (or everyone); an identity policy's Allow counts only where the key
 * policy allows the caller's account (the account "delegates" to its identity policies), and for a caller of
 * another account both must allow; a grant for the caller allows on its own. Anything else is an implicit deny.
 * Actions without a key (CreateKey, ListKeys, ...) are decided by identity policies alone.
 */
export function evaluate(set: PolicySet, request: EvaluationRequest): Decision {
  const req = new PreparedRequest(request);
  const conditional =
    (set.keyPolicy?.conditional ?? false) ||
    set.identityPolicies.some((p) => p.policy.conditional) ||
    set.grants.some((g) => g.constraints !== undefined);
  const arn = request.principalArn;
  const account = req.principalAccount;
  const decide = (effect: 'ALLOW' | 'DENY', reason: string): Decision => ({ effect, reason, conditional });

  const keyStatements = set.keyPolicy?.statements ?? [];
  for (const s of keyStatements) {
    if (s.effect === 'Deny' && s.principal(arn, account) !== undefined && s.applies(req)) {
      return decide('DENY', `explicit deny in ${label({ statement: s, source: 'key policy' })}`);
    }
  }
  for (const { name, policy } of set.identityPolicies) {
    for (const s of policy.statements) {
      if (s.effect === 'Deny' && s.applies(req)) {
        return decide(
          'DENY',
          `explicit deny in ${label({ statement: s, source: `identity policy "${name}"` })}`,
        );
      }
    }
  }

  // An account's root principal is not subject to identity policies: it may do whatever its account may.
  const identityAllow: Found | undefined =
    account !== undefined && arn === `arn:aws:iam::${account}:root` ? ROOT : firstIdentityAllow(set, req);
  if (!set.keyPolicy) {
    return identityAllow
      ? decide('ALLOW', `allowed by ${label(identityAllow)}`)
      : decide(
          'DENY',
          `implicit deny: no identity policy of ${arn} allows ${request.action} on ${request.resource}`,
        );
  }

  let direct: Found | undefined;
  let delegated: Found | undefined;
  for (const s of keyStatements) {
    if (s.effect !== 'Allow' || (direct && delegated)) continue;
    const match = s.principal(arn, account);
    if (match === undefined || (match === 'direct' ? direct : delegated) || !s.applies(req)) continue;
    if (match === 'direct') direct = { statement: s, source: 'key policy' };
    else delegated = { statement: s, source: 'key policy' };
  }
  const sameAccount = account !== undefined && account === req.resourceAccount;
  if (sameAccount && direct) return decide('ALLOW', `allowed by ${label(direct)}`);
  const keyAllow = direct ?? delegated;
  if (keyAllow && identityAllow) {
    return decide('ALLOW', `allowed by ${label(identityAllow)}, which ${label(keyAllow)} lets count`);
  }

  const operation = request.action.startsWith('kms:') ? request.action.slice(4) : undefined;
  if (operation !== undefined) {
    for (const g of set.grants) {
      const forCaller = g.granteePrincipal === arn;
      const forAccount =
        !forCaller && account !== undefined && g.granteePrincipal === `arn:aws:iam::${account}:root`;
      if (!forCaller && !(forAccount && identityAllow)) continue;
      if (grantCovers(g, operation, request.encryptionContext)) {
        return decide('ALLOW', `allowed by grant ${g.grantId}`);
      }
    }
  }

  if (keyAllow && !identityAllow) {
    return decide(
      'DENY',
      `implicit deny: ${label(keyAllow)} allows account ${account ?? '?'}, but no identity policy of ${arn} allows ${request.action}`,
    );
  }
  if (identityAllow && !keyAllow) {
    return decide(
      'DENY',
      `implicit deny: ${label(identityAllow)} allows it, but the key policy neither allows ${arn} nor lets its account's identity policies count`,
    );
  }
  return decide(
    'DENY',
    `implicit deny: no key policy statement, identity policy or grant allows ${arn} to perform ${request.action} on ${request.resource}`,
  );
}

function firstIdentityAllow(set: PolicySet, req: PreparedRequest): Found | undefined {
  for (const { name, policy } of set.identityPolicies) {
    for (const s of policy.statements) {
      if (s.effect === 'Allow' && s.applies(req))
        return { statement: s, source: `identity policy "${name}"` };
    }
  }
  return undefined;
}
