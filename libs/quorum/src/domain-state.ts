/**
 * Domain state: the tokens that share domain keys, the operators, and the quorum rules for each kind of change.
 * The epoch only increases; every change is a proposal signed by a quorum (DESIGN.md, "Domains and quorum").
 */
export const ChangeKinds = [
  'add-member',
  'remove-member',
  'rotate-domain-key',
  'change-operators',
  'change-rules',
] as const;
export type ChangeKind = (typeof ChangeKinds)[number];

export interface Operator {
  id: string;
  /** Ed25519 public key, SPKI DER base64. */
  publicKey: string;
}

export interface Member {
  nodeId: string;
  tokenLabel: string;
}

/** Any one of the listed operator sets suffices, e.g. [[A,B],[A,C],[B,C]] is 2 of {A,B,C}. */
export interface QuorumRule {
  anyOf: string[][];
}

export interface DomainState {
  domainId: string;
  epoch: number;
  /** Domain key generation that wraps new EKTs. */
  generation: number;
  members: Member[];
  operators: Operator[];
  rules: Record<ChangeKind, QuorumRule>;
}

/** True when the set of operators who signed contains one of the rule's sufficient sets. */
export function ruleSatisfied(rule: QuorumRule, signers: Iterable<string>): boolean {
  const signed = new Set(signers);
  return rule.anyOf.some((set) => set.length > 0 && set.every((id) => signed.has(id)));
}

/** k of n operators as a rule: every k-subset of ids. */
export function thresholdRule(ids: readonly string[], k: number): QuorumRule {
  if (!Number.isInteger(k) || k < 1 || k > ids.length)
    throw new Error(`threshold ${k} out of range 1..${ids.length}`);
  const sets: string[][] = [];
  const pick = (start: number, chosen: string[]): void => {
    if (chosen.length === k) {
      sets.push([...chosen]);
      return;
    }
    for (let i = start; i < ids.length; i++) pick(i + 1, [...chosen, ids[i]!]);
  };
  pick(0, []);
  return { anyOf: sets };
}

/** The development domain made on first start: one token, one operator, 1-of-1 for every change. */
export function developmentDomain(domainId: string, members: Member[], operator: Operator): DomainState {
  const rule = thresholdRule([operator.id], 1);
  return {
    domainId,
    epoch: 1,
    generation: 1,
    members,
    operators: [operator],
    rules: Object.fromEntries(ChangeKinds.map((k) => [k, rule])) as Record<ChangeKind, QuorumRule>,
  };
}
