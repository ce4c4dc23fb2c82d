/**
 * What an operator reads before signing a domain change, and how far the signatures collected are from the quorum.
 * Pure: libs/quorum does the checking, this only puts it in words.
 */
import { publicKeyFingerprint } from '@symbolon/evidence';
import {
  ChangeKinds,
  type DomainChange,
  type DomainProposal,
  type DomainState,
  type ProposalRefusalCode,
  type QuorumRule,
  type QuorumRules,
  checkProposal,
  describeRule,
  ruleSatisfied,
} from '@symbolon/quorum';

/** `SHA256:<base64url>` of a base64 SPKI DER key, as `key signing-key` and libs/evidence print them. */
export function fingerprint(spkiBase64: string): string {
  try {
    return publicKeyFingerprint(spkiBase64);
  } catch {
    return '(not a base64 key)';
  }
}

/** One change in words, e.g. `add member hsm-2 (token symbolon-hsm-2, identity key SHA256:...)`. */
export function describeChange(change: DomainChange): string {
  switch (change.kind) {
    case 'add-member': {
      const m = change.member;
      const key =
        (m.identityPublicKey !== undefined
          ? `identity key ${fingerprint(m.identityPublicKey)}`
          : 'no identity key') +
        (m.signingPublicKey !== undefined ? `, signing key ${fingerprint(m.signingPublicKey)}` : '');
      const labels = Object.entries(m.labels ?? {}).map(([k, v]) => `${k}=${v}`);
      const values = (change.keyCheckValues ?? []).map(
        (v) => `generation ${v.generation} ${v.keyCheckValue}`,
      );
      return (
        `add member ${m.nodeId} (token ${m.tokenLabel}, ${key}${labels.length > 0 ? `, labels ${labels.join(', ')}` : ''})` +
        (values.length > 0 ? `, receiving the domain keys with check values ${values.join(', ')}` : '')
      );
    }
    case 'remove-member':
      return `remove member ${change.nodeId}`;
    case 'rotate-domain-key':
      return (
        `rotate the domain key: generation ${change.generation} becomes active, the active one retiring` +
        (change.origin !== undefined
          ? ` (key made by ${change.origin}, check value ${change.keyCheckValue})`
          : '')
      );
    case 'destroy-generation':
      return `destroy domain-key generation ${change.generation} in every token (what is wrapped only under it is lost for good)`;
    case 'set-operators':
      return `set operators: ${change.operators.map((o) => `${o.id} (${fingerprint(o.publicKey)})`).join(', ')}`;
    case 'set-rules':
      return `set rules: ${describeRules(change.rules)}`;
  }
}

/** Every kind's rule, in ChangeKinds order: `add-member 2 of {A, B, C}; remove-member ...`. */
export function describeRules(rules: QuorumRules): string {
  const kinds = [
    ...ChangeKinds.filter((k) => Object.hasOwn(rules, k)),
    ...Object.keys(rules).filter((k) => !(ChangeKinds as readonly string[]).includes(k)),
  ];
  return kinds.map((k) => `${k} ${describeRule((rules as Record<string, QuorumRule>)[k]!)}`).join('; ');
}

/** `in 23 h 59 min` or `expired 5 min ago`. */
function untilText(expiresAt: string, now: Date): string {
  const ms = Date.parse(expiresAt) - now.getTime();
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return ms > 0 ? `in ${span}` : `expired ${span} ago`;
}

/**
 * The ceremony text of a proposal: domain, the epoch it applies to, the change, expiry, nonce, and the rule that
 * decides it (`rule` from the domain's current state; unknown offline).
 */
export function ceremony(proposal: DomainProposal, opts: { now: Date; rule?: QuorumRule }): string[] {
  const kind = proposal.change.kind;
  return [
    `domain ${proposal.domainId}`,
    `applies to epoch ${proposal.epoch} (the domain is at epoch ${proposal.epoch + 1} after it)`,
    `change: ${describeChange(proposal.change)}`,
    `expires ${proposal.expiresAt} (${untilText(proposal.expiresAt, opts.now)})`,
    `nonce ${proposal.nonce}`,
    opts.rule
      ? `decided by the ${kind} rule: ${describeRule(opts.rule)}`
      : `decided by the ${kind} rule of the domain's current state (domain status shows it)`,
  ];
}

/**
 * What is wrong with `proposal` itself, whatever the domain's state: not a proposal (MALFORMED), EXPIRED, or expiring
 * more than 7 days from now (TOO_LONG); undefined when none. libs/quorum's own checks: checkProposal against a state
 * with the proposal's domain and epoch but no operators and no rules, which refuses any well-formed, unexpired
 * proposal with STATE_MISMATCH (it is not the domain's state) and nothing earlier.
 */
export function proposalProblem(
  proposal: unknown,
  now: Date,
): { code: ProposalRefusalCode; message: string } | undefined {
  const p = proposal as Partial<DomainProposal> | null;
  const probe: DomainState = {
    domainId: String(p?.domainId),
    epoch: Number(p?.epoch),
    generation: 1,
    generations: [],
    members: [],
    operators: [],
    rules: {} as QuorumRules,
  };
  const check = checkProposal(probe, proposal, [], { now });
  // The probe is not the domain's state, so its digest differs; the node checks the real one.
  if (check.ok || check.code === 'QUORUM_NOT_MET' || check.code === 'STATE_MISMATCH') return undefined;
  return { code: check.code, message: check.message };
}

export interface QuorumProgress {
  rule: string;
  met: boolean;
  /** Distinct signers, sorted. */
  signers: string[];
  /** When not met: the alternative needing the fewest more signers, how many, and from whom. */
  closest?: { alternative: string; more: number; from: string[] };
}

/** How far `signers` are from `rule`: met (libs/quorum ruleSatisfied), else the closest alternative. */
export function quorumProgress(rule: QuorumRule, signers: Iterable<string>): QuorumProgress {
  const signed = new Set(signers);
  const progress: QuorumProgress = {
    rule: describeRule(rule),
    met: ruleSatisfied(rule, signed),
    signers: [...signed].sort(),
  };
  if (progress.met) return progress;
  let closest: QuorumProgress['closest'];
  for (const alt of rule.alternatives) {
    if (alt.threshold < 1) continue;
    const operators = [...new Set(alt.operators)];
    const more = alt.threshold - operators.filter((id) => signed.has(id)).length;
    if (closest === undefined || more < closest.more) {
      closest = {
        alternative: describeRule({ alternatives: [alt] }),
        more,
        from: operators.filter((id) => !signed.has(id)),
      };
    }
  }
  return { ...progress, ...(closest ? { closest } : {}) };
}
