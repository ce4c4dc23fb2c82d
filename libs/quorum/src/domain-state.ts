import { type QuorumRule, type QuorumRules, thresholdRule, uniformRules } from './rules.js';

/**
 * Domain state: the tokens that share domain keys, the domain-key generations, the operators, and the quorum rules
 * for each kind of change. The epoch only increases; every change is a proposal signed by a quorum (DESIGN.md,
 * "Domains and quorum").
 */
export interface Operator {
  id: string;
  /** Ed25519 public key, SPKI DER base64. */
  publicKey: string;
}

export interface Member {
  nodeId: string;
  tokenLabel: string;
  /** The node's identity public key, SPKI DER base64. */
  identityPublicKey?: string;
  /** The token's Ed25519 signing key, SPKI DER base64: what the domain keys it sends to other members are signed by. */
  signingPublicKey?: string;
  /** Placement labels, e.g. `{ region: 'eu-west', jurisdiction: 'DE' }`. */
  labels?: Record<string, string>;
}

export const GenerationStates = ['active', 'retiring', 'destroyed'] as const;
export type GenerationState = (typeof GenerationStates)[number];

/** A domain-key generation: `active` wraps new EKTs, `retiring` still unwraps old ones, `destroyed` is gone. */
export interface Generation {
  generation: number;
  state: GenerationState;
  /** The key check value of its domain key when a rotation named it (every member holds the key with this value). */
  keyCheckValue?: string;
}

/** A domain-key generation's key check value (32 hex digits; libs/pkcs11 keyCheckValue). */
export interface GenerationCheckValue {
  generation: number;
  keyCheckValue: string;
}

export interface DomainState {
  domainId: string;
  /** Version of this state; each applied change adds one. */
  epoch: number;
  /** The domain-key generation that wraps new EKTs (the one `active` in `generations`). */
  generation: number;
  generations: Generation[];
  members: Member[];
  operators: Operator[];
  rules: QuorumRules;
}

/**
 * The development domain made on first start: the given tokens, one operator, 1-of-1 for every change, epoch 1,
 * domain-key generation 1 active.
 */
export function developmentDomain(domainId: string, members: Member[], operator: Operator): DomainState {
  return {
    domainId,
    epoch: 1,
    generation: 1,
    generations: [{ generation: 1, state: 'active' }],
    members,
    operators: [operator],
    rules: uniformRules(thresholdRule([operator.id], 1)),
  };
}

/**
 * A domain state as stored before proposals existed (rules as `anyOf` operator sets, no `generations`), brought to the
 * current shape: each set becomes an alternative that needs all of its operators, and the one generation is active.
 * A current state is returned as it is.
 */
export function upgradeDomainState(stored: DomainState | LegacyDomainState): DomainState {
  const rules = Object.fromEntries(
    Object.entries(stored.rules).map(([kind, rule]) => [
      kind,
      'anyOf' in rule
        ? { alternatives: rule.anyOf.map((set: string[]) => ({ operators: set, threshold: set.length })) }
        : rule,
    ]),
  ) as Partial<QuorumRules>;
  for (const [from, to] of [
    ['change-operators', 'set-operators'],
    ['change-rules', 'set-rules'],
  ] as const) {
    const legacy = (rules as Record<string, QuorumRule | undefined>)[from];
    if (legacy && !rules[to]) rules[to] = legacy;
    delete (rules as Record<string, unknown>)[from];
  }
  rules['destroy-generation'] ??= rules['rotate-domain-key'];
  return {
    ...stored,
    rules: rules as QuorumRules,
    generations:
      'generations' in stored && stored.generations
        ? stored.generations
        : [{ generation: stored.generation, state: 'active' }],
  };
}

/** The stored shape before proposals (see upgradeDomainState). */
export interface LegacyDomainState extends Omit<DomainState, 'rules' | 'generations'> {
  rules: Record<string, QuorumRule | { anyOf: string[][] }>;
  generations?: undefined;
}
