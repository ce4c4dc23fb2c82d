import { createPublicKey, verify } from 'node:crypto';

import type { DomainState, GenerationCheckValue, Operator } from './domain-state.js';
import { QuorumError } from './needs.js';
import {
  type DomainChange,
  type DomainProposal,
  MAX_PROPOSAL_TTL_MS,
  type OperatorSignature,
  proposalBytes,
  stateDigest,
} from './proposal.js';
import { type QuorumRule, checkRules, describeRule, ruleSatisfied } from './rules.js';
import { changeShapeProblem, isBase64, proposalShapeProblem, signaturesShapeProblem } from './shape.js';

/** Why a node refuses a proposal, in the order the checks run. */
export const ProposalRefusalCodes = [
  'MALFORMED',
  'WRONG_DOMAIN',
  'REPLAYED',
  'STALE_EPOCH',
  'FUTURE_EPOCH',
  'EXPIRED',
  'TOO_LONG',
  'STATE_MISMATCH',
  'UNKNOWN_SIGNER',
  'BAD_SIGNATURE',
  'QUORUM_NOT_MET',
  'INVALID_CHANGE',
] as const;
export type ProposalRefusalCode = (typeof ProposalRefusalCodes)[number];

export type ProposalCheck =
  | { ok: true; next: DomainState; signers: string[]; rule: QuorumRule }
  | { ok: false; code: ProposalRefusalCode; message: string };

const refuse = (code: ProposalRefusalCode, message: string): ProposalCheck => ({ ok: false, code, message });

/**
 * What every hsm node runs before it applies a domain change: `proposal` and `signatures` as received (anything),
 * checked against the `state` this node already holds. Accepts when the proposal is well formed, for this domain
 * and epoch and for this very state (its digest), unexpired (and expiring within 7 days of `now`), its nonce unseen, every signature by a known operator
 * and valid, the distinct signers meeting the CURRENT rule for the change's kind, and the change valid. On
 * acceptance, `next` is the new state; the caller stores it and adds the nonce to its seen set (keep nonces 7 days).
 */
export function checkProposal(
  state: DomainState,
  proposal: unknown,
  signatures: unknown,
  opts: {
    now: Date;
    seenNonces?: ReadonlySet<string>;
    /**
     * Whose signatures count, instead of the state's operators: a node that takes `state` from a relay (it joins)
     * counts only the operators it was installed to trust, under the state's rule.
     */
    trustedOperators?: readonly Operator[];
  },
): ProposalCheck {
  const malformed = proposalShapeProblem(proposal) ?? signaturesShapeProblem(signatures);
  if (malformed) return refuse('MALFORMED', malformed);
  const p = proposal as DomainProposal;
  const sigs = signatures as OperatorSignature[];

  if (p.domainId !== state.domainId) {
    return refuse('WRONG_DOMAIN', `proposal is for domain ${p.domainId}, not ${state.domainId}`);
  }
  if (opts.seenNonces?.has(p.nonce)) return refuse('REPLAYED', 'proposal nonce was already seen');
  if (p.epoch < state.epoch)
    return refuse('STALE_EPOCH', `proposal epoch ${p.epoch} < state epoch ${state.epoch}`);
  if (p.epoch > state.epoch)
    return refuse('FUTURE_EPOCH', `proposal epoch ${p.epoch} > state epoch ${state.epoch}`);
  const msLeft = Date.parse(p.expiresAt) - opts.now.getTime();
  if (msLeft <= 0) return refuse('EXPIRED', `proposal expired at ${p.expiresAt}`);
  if (msLeft > MAX_PROPOSAL_TTL_MS) return refuse('TOO_LONG', 'proposal expires more than 7 days from now');
  if (p.stateDigest !== stateDigest(state)) {
    return refuse('STATE_MISMATCH', 'the proposal was made for another state of this epoch');
  }

  const operators = new Map((opts.trustedOperators ?? state.operators).map((o) => [o.id, o.publicKey]));
  const unknown = sigs.find((s) => !operators.has(s.operatorId));
  if (unknown)
    return refuse('UNKNOWN_SIGNER', `signer ${unknown.operatorId} is not an operator of this domain`);
  const bytes = proposalBytes(p);
  for (const [i, s] of sigs.entries()) {
    if (!verifies(operators.get(s.operatorId)!, bytes, s.signature)) {
      return refuse('BAD_SIGNATURE', `signature ${i + 1} (operator ${s.operatorId}) does not verify`);
    }
  }

  const signers = [...new Set(sigs.map((s) => s.operatorId))].sort();
  const kind = p.change.kind;
  const rule = Object.hasOwn(state.rules, kind) ? state.rules[kind] : undefined;
  if (!rule || !ruleSatisfied(rule, signers)) {
    const needed = rule ? describeRule(rule) : 'a rule, and this state has none';
    const valid = signers.length > 0 ? `{${signers.join(', ')}}` : 'none';
    return refuse('QUORUM_NOT_MET', `${kind} needs ${needed}; distinct valid signers: ${valid}`);
  }

  const invalid = changeProblem(state, p.change);
  if (invalid) return refuse('INVALID_CHANGE', invalid);
  return { ok: true, next: nextState(state, p.change), signers, rule };
}

/** The state after `change`: epoch + 1. Throws a QuorumError naming the problem when the change is not valid. */
export function applyChange(state: DomainState, change: DomainChange): DomainState {
  const problem = changeShapeProblem(change) ?? changeProblem(state, change);
  if (problem) throw new QuorumError(problem);
  return nextState(state, change);
}

/**
 * Check values named for every live generation, once each, equal to those the state recorded: a new member keeps only
 * keys with values the operators signed.
 */
function checkValuesProblem(state: DomainState, values: readonly GenerationCheckValue[]): string | undefined {
  const unnamed = state.generations.filter(
    (g) => g.state !== 'destroyed' && !values.some((v) => v.generation === g.generation),
  );
  if (unnamed.length > 0) {
    return `the check value of generation ${unnamed.map((g) => g.generation).join(', ')} is missing`;
  }
  const seen = new Set<number>();
  for (const v of values) {
    const g = state.generations.find((x) => x.generation === v.generation);
    if (!g || g.state === 'destroyed') return `generation ${v.generation} is not a live generation`;
    if (seen.has(v.generation)) return `generation ${v.generation} has two check values`;
    seen.add(v.generation);
    if (g.keyCheckValue !== undefined && g.keyCheckValue !== v.keyCheckValue) {
      return `generation ${v.generation} has check value ${g.keyCheckValue}, not ${v.keyCheckValue}`;
    }
  }
  return undefined;
}

/** The generation a rotation of `state` makes: the highest so far plus one (destroyed ones are never reused). */
export function nextGeneration(state: DomainState): number {
  return Math.max(state.generation, ...state.generations.map((g) => g.generation)) + 1;
}

/** Why `change` cannot apply to `state` (ids and numbers only), or undefined when it can. */
export function changeProblem(state: DomainState, change: DomainChange): string | undefined {
  switch (change.kind) {
    case 'add-member':
      if (state.members.some((m) => m.nodeId === change.member.nodeId))
        return `node ${change.member.nodeId} is already a member`;
      // The domain key reaches a new member only wrapped for this key.
      if (change.member.identityPublicKey === undefined)
        return `node ${change.member.nodeId} needs an identityPublicKey to receive the domain key`;
      return checkValuesProblem(state, change.keyCheckValues ?? []);
    case 'remove-member':
      if (!state.members.some((m) => m.nodeId === change.nodeId))
        return `node ${change.nodeId} is not a member`;
      return state.members.length === 1 ? 'cannot remove the last member' : undefined;
    case 'rotate-domain-key': {
      const next = nextGeneration(state);
      if (change.generation !== next) return `the new generation must be ${next}, not ${change.generation}`;
      if (change.origin === undefined) {
        return state.members.length > 1
          ? 'a domain of several tokens rotates to a key made ahead by one member: origin and keyCheckValue are missing'
          : undefined;
      }
      return state.members.some((m) => m.nodeId === change.origin)
        ? undefined
        : `origin ${change.origin} is not a member`;
    }
    case 'destroy-generation': {
      const g = state.generations.find((x) => x.generation === change.generation);
      if (!g) return `generation ${change.generation} is unknown`;
      if (g.generation === state.generation || g.state === 'active') {
        return `generation ${g.generation} is active: rotate first`;
      }
      return g.state === 'destroyed' ? `generation ${g.generation} is already destroyed` : undefined;
    }
    case 'set-operators': {
      if (change.operators.length === 0) return 'operators cannot be empty';
      if (new Set(change.operators.map((o) => o.id)).size !== change.operators.length) {
        return 'operator ids must be distinct';
      }
      const badKey = change.operators.find((o) => !ed25519PublicKey(o.publicKey));
      if (badKey) return `operator ${badKey.id}'s publicKey is not an Ed25519 SPKI key`;
      const problems = checkRules(state.rules, change.operators);
      return problems.length === 0
        ? undefined
        : `the current rules would not be satisfiable: ${problems.join('; ')}`;
    }
    case 'set-rules': {
      const problems = checkRules(change.rules, state.operators);
      return problems.length === 0 ? undefined : `invalid rules: ${problems.join('; ')}`;
    }
  }
}

function nextState(state: DomainState, change: DomainChange): DomainState {
  const next = structuredClone(state);
  next.epoch += 1;
  switch (change.kind) {
    case 'add-member':
      next.members.push(structuredClone(change.member));
      // The operators signed these values: the state keeps them for the generations that had none yet.
      for (const v of change.keyCheckValues ?? []) {
        const g = next.generations.find((x) => x.generation === v.generation);
        if (g && g.keyCheckValue === undefined) g.keyCheckValue = v.keyCheckValue;
      }
      break;
    case 'remove-member':
      next.members = next.members.filter((m) => m.nodeId !== change.nodeId);
      break;
    case 'rotate-domain-key':
      for (const g of next.generations) if (g.state === 'active') g.state = 'retiring';
      next.generations.push({
        generation: change.generation,
        state: 'active',
        ...(change.keyCheckValue === undefined ? {} : { keyCheckValue: change.keyCheckValue }),
      });
      next.generation = change.generation;
      break;
    case 'destroy-generation':
      for (const g of next.generations) if (g.generation === change.generation) g.state = 'destroyed';
      break;
    case 'set-operators':
      next.operators = structuredClone(change.operators);
      break;
    case 'set-rules':
      next.rules = structuredClone(change.rules);
      break;
  }
  return next;
}

function ed25519PublicKey(spkiBase64: string): ReturnType<typeof createPublicKey> | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

function verifies(spkiBase64: string, bytes: Buffer, signature: string): boolean {
  const key = ed25519PublicKey(spkiBase64);
  return (
    key !== undefined && isBase64(signature, 64) && verify(null, bytes, key, Buffer.from(signature, 'base64'))
  );
}
