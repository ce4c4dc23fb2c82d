import { canonicalJson, signingBytes } from '@symbolon/evidence';
import { type KeyObject, createHash, randomBytes, sign } from 'node:crypto';

import type { DomainState, GenerationCheckValue, Member, Operator } from './domain-state.js';
import { needs } from './needs.js';
import type { QuorumRules } from './rules.js';

export const DOMAIN_PROPOSAL_TYPE = 'symbolon.domain-proposal.v1';
/** The longest a proposal may stay valid; an hsm node keeps seen nonces at least this long. */
export const MAX_PROPOSAL_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** One change to a domain; `kind` picks the quorum rule that must approve it. */
export type DomainChange =
  /**
   * `keyCheckValues`: the check values of the domain's live keys, which the operators compare with the members' logs
   * before they sign; the new member then accepts only keys with these values (and every member checks its own).
   */
  | { kind: 'add-member'; member: Member; keyCheckValues?: GenerationCheckValue[] }
  | { kind: 'remove-member'; nodeId: string }
  /**
   * `generation` is the new one: the highest so far plus one. In a domain of several tokens the key is made ahead by
   * one member (`origin`, `symbolon domain propose` asks for it) and named by its key check value, so the operators
   * approve that very key and every other member accepts only a copy of it.
   */
  | { kind: 'rotate-domain-key'; generation: number; origin?: string; keyCheckValue?: string }
  | { kind: 'destroy-generation'; generation: number }
  | { kind: 'set-operators'; operators: Operator[] }
  | { kind: 'set-rules'; rules: QuorumRules };

/** The document operators sign: one change to one domain at one epoch, until `expiresAt`. */
export interface DomainProposal {
  type: typeof DOMAIN_PROPOSAL_TYPE;
  domainId: string;
  /** The epoch of the state the change applies to; the state after it has epoch + 1. */
  epoch: number;
  change: DomainChange;
  /** ISO 8601 as `Date.prototype.toISOString` writes it. */
  expiresAt: string;
  /** Base64 of 16 random bytes: tells two proposals of the same change apart, and catches replays. */
  nonce: string;
  /**
   * stateDigest(state) of the state the change applies to: the operators sign that very state, so that a node that
   * holds no copy of it yet (one that joins) can take it from an untrusted relay and check it.
   */
  stateDigest: string;
}

/** Hex SHA-256 of the state's canonical JSON. */
export function stateDigest(state: DomainState): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex');
}

export interface OperatorSignature {
  operatorId: string;
  /** Base64 of the Ed25519 signature (64 bytes) over `proposalBytes(proposal)`. */
  signature: string;
}

/** A proposal of `change` to `state` as it is now, valid for `ttlMs` from `now`. */
export function newProposal(
  state: DomainState,
  change: DomainChange,
  opts: { ttlMs: number; now: Date },
): DomainProposal {
  /* Precondition: the proposal expires after now, and within the longest allowed lifetime. */
  needs(
    Number.isSafeInteger(opts.ttlMs) && opts.ttlMs > 0 && opts.ttlMs <= MAX_PROPOSAL_TTL_MS,
    'proposal ttlMs must be an integer in 1..7 days',
  );
  return {
    type: DOMAIN_PROPOSAL_TYPE,
    domainId: state.domainId,
    epoch: state.epoch,
    change,
    expiresAt: new Date(opts.now.getTime() + opts.ttlMs).toISOString(),
    nonce: randomBytes(16).toString('base64'),
    stateDigest: stateDigest(state),
  };
}

/** The bytes an operator signs: UTF-8 of the proposal's canonical JSON. */
export function proposalBytes(proposal: DomainProposal): Buffer {
  return signingBytes(proposal);
}

/** Signs `proposal` as `operatorId` with that operator's Ed25519 private key. */
export function signProposal(
  proposal: DomainProposal,
  operatorId: string,
  privateKey: KeyObject,
): OperatorSignature {
  /* Precondition: operator keys are Ed25519 private keys. */
  needs(
    privateKey.type === 'private' && privateKey.asymmetricKeyType === 'ed25519',
    'operator key must be an Ed25519 private key',
  );
  return { operatorId, signature: sign(null, proposalBytes(proposal), privateKey).toString('base64') };
}
