import { Inject, Injectable } from '@nestjs/common';
import {
  type DomainKeyPackage,
  ErrorCodes,
  HsmDomainApplyRequest,
  type HsmDomainApplyReply,
  HsmDomainGenesisRequest,
  HsmDomainJoinRequest,
  HsmDomainPrepareRotationRequest,
  HsmDomainReceiveRequest,
  type HsmDomainReceiveReply,
  type HsmDomainPrepareRotationReply,
  type HsmDomainStateReply,
  HsmDomainTransportRequest,
  KmsError,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { type Hsm, HsmError } from '@symbolon/pkcs11';
import { readFileSync } from 'node:fs';
import {
  type DomainChange,
  type DomainProposal,
  type DomainState,
  type Operator,
  checkProposal,
  checkRules,
  nextGeneration,
} from '@symbolon/quorum';
import { logger } from '@symbolon/platform';

import { HSM, NODE_SETTINGS, type NodeSettings } from '../token/hsm.tokens.js';
import { toKmsError } from '../token/hsm-errors.js';
import { guard } from '../token/use-cases/key-ref.js';
import { DOMAIN_STORE } from './domain.tokens.js';
import type { DomainStateStore, NodeDomain } from './domain-state.store.js';

/**
 * This node's copy of the domain state, and the only way it changes: a proposal signed by a quorum of the operators
 * that THIS copy names, checked here (libs/quorum checkProposal) whoever relays it. The coordinator cannot change a
 * node's domain by itself, and a node refuses what its own rules do not allow.
 */
@Injectable()
export class DomainUseCase {
  private domain?: NodeDomain;

  constructor(
    @Inject(DOMAIN_STORE) private readonly store: DomainStateStore,
    @Inject(NODE_SETTINGS) private readonly node: NodeSettings,
    @Inject(HSM) private readonly hsm: Hsm,
  ) {
    this.domain = store.load();
    // New key material is wrapped under the generation the domain names active.
    if (this.domain) this.node.domainGeneration = this.domain.state.generation;
    this.logKeys();
  }

  /**
   * The check values of the live domain keys this token holds, in the log: what operators compare with the values a
   * proposal names before they sign it (at start, and after every change of the state).
   */
  private logKeys(): void {
    for (const { generation, keyCheckValue } of this.heldCheckValues()) {
      logger.info({ generation, keyCheckValue }, 'domain key');
    }
  }

  state(): HsmDomainStateReply {
    return {
      nodeId: this.node.nodeId,
      tokenLabel: this.node.tokenLabel,
      state: (this.domain?.state as unknown as Record<string, unknown>) ?? null,
      identityPublicKey: toBase64(guard(() => this.hsm.identityPublicKey())),
      keyCheckValues: this.heldCheckValues(),
    };
  }

  /** The check values of the live domain keys the token holds. */
  private heldCheckValues(): { generation: number; keyCheckValue: string }[] {
    const live = (this.domain?.state.generations ?? []).filter((g) => g.state !== 'destroyed');
    return guard(() =>
      live
        .filter((g) => this.hsm.hasDomainKey(g.generation))
        .map((g) => ({
          generation: g.generation,
          keyCheckValue: this.hsm.domainKeyCheckValue(g.generation),
        })),
    );
  }

  /**
   * The first state of a new domain, accepted once by a node that has none (trust on first use; a production node is
   * given its genesis by the operators at installation). It must be epoch 1, name this node, and have valid rules.
   */
  genesis(req: HsmDomainGenesisRequest): HsmDomainStateReply {
    const state = req.state as unknown as DomainState;
    const held = this.heldAlready(state);
    if (held) return held;
    const problems = stateProblems(state, this.node.nodeId);
    if (state?.epoch !== 1) problems.push('a genesis state has epoch 1');
    const me = problems.length === 0 ? state.members.find((m) => m.nodeId === this.node.nodeId) : undefined;
    if (me?.identityPublicKey !== undefined && me.identityPublicKey !== this.state().identityPublicKey) {
      problems.push('it names another identity key for this node');
    }
    if (problems.length > 0) {
      throw new KmsError(ErrorCodes.VALIDATION, `genesis refused: ${problems.join('; ')}`);
    }
    this.install(state);
    logger.info({ domainId: state.domainId, epoch: state.epoch }, 'domain genesis installed');
    return this.state();
  }

  /**
   * A node that holds no state joins the domain that made it a member, with the domain keys a member wrapped for it.
   * What it checks (ADR 0013): the add-member that named this token's identity key was approved by a quorum of the
   * operators it was installed to trust (SYMBOLON_HSM_OPERATORS_FILE; without that file, of the operators the state
   * names: trust on first use, as for a genesis); the state follows from that change and names this node; the keys
   * come from another member, are meant for this node, and each has the check value the operators signed (or the
   * state recorded; only without either, the one the sender gave).
   */
  join(req: HsmDomainJoinRequest): HsmDomainStateReply {
    const state = req.state as unknown as DomainState;
    const held = this.heldAlready(state);
    if (held) return held;
    const refuse = (why: string): KmsError => new KmsError(ErrorCodes.VALIDATION, `join refused: ${why}`);
    const problems = stateProblems(state, this.node.nodeId);
    if (problems.length > 0) throw refuse(problems.join('; '));
    const approved = this.approvedAddition(state, req.proposal, req.signatures);
    const signed = new Map((approved.keyCheckValues ?? []).map((v) => [v.generation, v.keyCheckValue]));
    const keys = this.packageFor(req.keys, state);
    for (const g of state.generations.filter((x) => x.state !== 'destroyed')) {
      const key = keys.get(g.generation);
      if (!key) throw refuse(`no key for generation ${g.generation}`);
      const expected = signed.get(g.generation) ?? g.keyCheckValue;
      if (expected === undefined) {
        logger.warn(
          { generation: g.generation },
          "no approved check value: the sender's is trusted on first use",
        );
      }
      this.receiveKey(g.generation, key.wrapped, expected ?? key.keyCheckValue, false);
    }
    this.install(state);
    logger.info({ domainId: state.domainId, epoch: state.epoch, from: req.keys.from }, 'joined the domain');
    return this.state();
  }

  /**
   * The add-member change that made this node a member, checked like any proposal (libs/quorum checkProposal) against
   * the state before it, with the operators this node trusts: it names this node with this token's identity key.
   */
  private approvedAddition(
    state: DomainState,
    proposal: Record<string, unknown>,
    signatures: unknown[],
  ): Extract<DomainChange, { kind: 'add-member' }> {
    const refuse = (why: string): KmsError => new KmsError(ErrorCodes.VALIDATION, `join refused: ${why}`);
    const p = proposal as unknown as Partial<DomainProposal>;
    const change = p?.change;
    if (change?.kind !== 'add-member' || change.member?.nodeId !== this.node.nodeId) {
      throw refuse('the proposal does not add this node');
    }
    if (change.member.identityPublicKey !== this.state().identityPublicKey) {
      throw refuse('the proposal names another identity key for this node');
    }
    const me = state.members.find((m) => m.nodeId === this.node.nodeId);
    if (JSON.stringify(me) !== JSON.stringify(change.member))
      throw refuse('the state does not name this node as the proposal does');
    if (typeof p.epoch !== 'number' || p.epoch >= state.epoch)
      throw refuse('the state does not follow the proposal');
    const operators = this.trustedOperators() ?? state.operators;
    const before: DomainState = {
      ...state,
      epoch: p.epoch,
      operators,
      members: state.members.filter((m) => m.nodeId !== this.node.nodeId),
    };
    const result = checkProposal(before, proposal, signatures, { now: new Date(), seenNonces: new Set() });
    if (!result.ok) throw refuse(`the add-member is not approved: ${result.code}: ${result.message}`);
    return change;
  }

  /** The operators this node was installed to trust, or undefined when none were configured (trust on first use). */
  private trustedOperators(): Operator[] | undefined {
    const file = this.node.operatorsFile;
    if (file === undefined) {
      logger.warn('no trusted operators configured: the domain this node joins is trusted on first use');
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new KmsError(ErrorCodes.INVALID_STATE, `the trusted operators file ${file} cannot be read`);
    }
    const ok =
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((o) => typeof o?.id === 'string' && typeof o?.publicKey === 'string');
    if (!ok)
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `the trusted operators file ${file} is not [{ id, publicKey }]`,
      );
    return (parsed as Operator[]).map(({ id, publicKey }) => ({ id, publicKey }));
  }

  /**
   * Makes the domain key of the next generation in this token ahead of a rotation (or finds the one made for an
   * earlier proposal that was not applied) and names it by its check value, which the rotation proposal then carries.
   * Harmless without a quorum: a key of a generation the state does not name wraps nothing.
   */
  prepareRotation(req: HsmDomainPrepareRotationRequest): HsmDomainPrepareRotationReply {
    const state = this.requireState();
    const next = nextGeneration(state);
    if (req.generation !== next) {
      throw new KmsError(ErrorCodes.VALIDATION, `the next generation is ${next}, not ${req.generation}`);
    }
    guard(() => this.hsm.ensureDomainKey(next));
    const keyCheckValue = guard(() => this.hsm.domainKeyCheckValue(next));
    logger.info({ generation: next, keyCheckValue }, 'domain key made ahead of a rotation');
    return { nodeId: this.node.nodeId, generation: next, keyCheckValue };
  }

  /**
   * The domain keys another member needs, wrapped inside this token for the identity key this node's state names: the
   * live generations (or those asked for), and the next one when this node made it ahead of a rotation.
   */
  transport(req: HsmDomainTransportRequest): DomainKeyPackage {
    const state = this.requireState();
    const to = state.members.find((m) => m.nodeId === req.to);
    if (!to || to.nodeId === this.node.nodeId) {
      throw new KmsError(ErrorCodes.VALIDATION, `${req.to} is not another member of the domain`);
    }
    const identity = to.identityPublicKey;
    if (identity === undefined) {
      throw new KmsError(ErrorCodes.VALIDATION, `the domain state names no identity key for ${req.to}`);
    }
    const alive = state.generations.filter((g) => g.state !== 'destroyed').map((g) => g.generation);
    const next = nextGeneration(state);
    if (guard(() => this.hsm.hasDomainKey(next))) alive.push(next);
    const wanted = req.generations ?? alive.filter((g) => g !== next);
    const unknown = wanted.filter((g) => !alive.includes(g));
    if (unknown.length > 0) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `this node holds no live key of generation ${unknown.join(', ')}`,
      );
    }
    const keys = wanted.map((generation) => ({
      generation,
      wrapped: toBase64(
        guard(() =>
          this.hsm.wrapDomainKeyForMember(generation, {
            nodeId: to.nodeId,
            identityPublicKey: fromBase64(identity),
          }),
        ),
      ),
      keyCheckValue: guard(() => this.hsm.domainKeyCheckValue(generation)),
    }));
    logger.info({ to: to.nodeId, generations: wanted }, 'domain keys wrapped for a member');
    return { domainId: state.domainId, epoch: state.epoch, from: this.node.nodeId, to: to.nodeId, keys };
  }

  /**
   * Takes the next generation's key that another member made ahead of a rotation, before the rotation is applied, so
   * that every member holds it by the time any member starts to wrap under it. Harmless without a quorum: the rotation
   * proposal names the key by its check value, and apply accepts only that one. A candidate this node holds with
   * another check value (an abandoned proposal) is replaced; live generations are never replaced.
   */
  receive(req: HsmDomainReceiveRequest): HsmDomainReceiveReply {
    const state = this.requireState();
    const next = nextGeneration(state);
    const keys = this.packageFor(req.keys, state);
    const other = [...keys.keys()].filter((g) => g !== next);
    if (other.length > 0) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `only the next generation (${next}) is received ahead, not ${other.join(', ')}`,
      );
    }
    const key = keys.get(next);
    if (key) {
      this.receiveKey(next, key.wrapped, key.keyCheckValue, true);
    }
    return { nodeId: this.node.nodeId, generations: key ? [next] : [] };
  }

  apply(req: HsmDomainApplyRequest): HsmDomainApplyReply {
    const domain = this.domain;
    if (!domain)
      throw new KmsError(ErrorCodes.INVALID_STATE, `node ${this.node.nodeId} holds no domain state`);
    const now = new Date();
    const nonces = domain.nonces.filter((n) => Date.parse(n.expiresAt) > now.getTime());
    const result = checkProposal(domain.state, req.proposal, req.signatures, {
      now,
      seenNonces: new Set(nonces.map((n) => n.nonce)),
    });
    if (!result.ok) {
      logger.warn({ code: result.code, reason: result.message }, 'domain change refused');
      throw new KmsError(ErrorCodes.QUORUM_REFUSED, `${result.code}: ${result.message}`);
    }
    const proposal = req.proposal as unknown as DomainProposal;
    this.inToken(proposal.change, domain.state);
    if (proposal.change.kind === 'remove-member' && proposal.change.nodeId === this.node.nodeId) {
      // This node left: its keys are gone, and so is its state, so that it can join a domain again.
      this.store.clear();
      this.domain = undefined;
      logger.info({ epoch: result.next.epoch }, 'removed from the domain');
      return { nodeId: this.node.nodeId, epoch: result.next.epoch, signers: result.signers };
    }
    this.domain = {
      state: result.next,
      nonces: [...nonces, { nonce: proposal.nonce, expiresAt: proposal.expiresAt }],
    };
    this.store.save(this.domain);
    this.node.domainGeneration = result.next.generation;
    this.logKeys();
    logger.info(
      { epoch: result.next.epoch, kind: proposal.change.kind, signers: result.signers },
      'domain change applied',
    );
    return { nodeId: this.node.nodeId, epoch: result.next.epoch, signers: result.signers };
  }

  /**
   * What an approved change does inside this token, before the new state is kept. A rotation: every member must hold
   * the key the operators signed for (made here ahead, or received ahead from the member that made it), checked by its
   * check value; a domain of one token makes the key now. A destruction destroys the generation's key and every copy
   * unwrapped under it. A removal drops the trust in the member's key, and a removed node destroys its domain keys.
   */
  private inToken(change: DomainChange, current: DomainState): void {
    if (change.kind === 'add-member') {
      // The values the operators signed are this token's: else the new member could never get the same keys.
      for (const v of change.keyCheckValues ?? []) {
        const held = guard(() =>
          this.hsm.hasDomainKey(v.generation) ? this.hsm.domainKeyCheckValue(v.generation) : undefined,
        );
        if (held !== v.keyCheckValue) {
          throw new KmsError(
            ErrorCodes.INVALID_STATE,
            `generation ${v.generation} has check value ${held ?? '(none)'} in node ${this.node.nodeId}, not ${v.keyCheckValue}`,
          );
        }
      }
    } else if (change.kind === 'rotate-domain-key') {
      const g = change.generation;
      if (change.keyCheckValue === undefined) {
        guard(() => this.hsm.ensureDomainKey(g));
        return;
      }
      const held = guard(() => (this.hsm.hasDomainKey(g) ? this.hsm.domainKeyCheckValue(g) : undefined));
      if (held !== change.keyCheckValue) {
        throw new KmsError(
          ErrorCodes.INVALID_STATE,
          `the key of generation ${g} with check value ${change.keyCheckValue} has not reached node ${this.node.nodeId}`,
        );
      }
    } else if (change.kind === 'destroy-generation') {
      guard(() => this.hsm.destroyDomainKey(change.generation));
    } else if (change.kind === 'remove-member') {
      if (change.nodeId === this.node.nodeId) {
        // Every generation, and a candidate made ahead of a rotation.
        const generations = [...current.generations.map((g) => g.generation), nextGeneration(current)];
        for (const g of generations) guard(() => this.hsm.destroyDomainKey(g));
      } else {
        guard(() => this.hsm.forgetMember(change.nodeId));
      }
    }
  }

  /** A domain key into the token; one that does not unwrap to its check value is the package's fault: VALIDATION. */
  private receiveKey(generation: number, wrapped: string, keyCheckValue: string, replace: boolean): void {
    try {
      this.hsm.receiveDomainKey(generation, fromBase64(wrapped), keyCheckValue, { replace });
    } catch (e) {
      if (e instanceof HsmError && (e.code === 'WRAPPED_KEY_INVALID' || e.code === 'INVALID_ARGUMENT')) {
        throw new KmsError(
          ErrorCodes.VALIDATION,
          `domain keys refused: the key of generation ${generation} does not unwrap here to check value ${keyCheckValue}`,
        );
      }
      throw toKmsError(e);
    }
  }

  /** The keys of a package meant for this node, from another member of `state`, by generation. */
  private packageFor(
    keys: DomainKeyPackage | undefined,
    state: DomainState,
  ): Map<number, DomainKeyPackage['keys'][number]> {
    const refuse = (why: string): KmsError =>
      new KmsError(ErrorCodes.VALIDATION, `domain keys refused: ${why}`);
    if (!keys || !Array.isArray(keys.keys)) throw refuse('no key package');
    if (keys.domainId !== state.domainId) throw refuse('they are for another domain');
    if (keys.to !== this.node.nodeId) throw refuse('they are for another node');
    if (keys.from === this.node.nodeId || !state.members.some((m) => m.nodeId === keys.from)) {
      throw refuse(`${String(keys.from)} is not another member`);
    }
    const byGeneration = new Map<number, DomainKeyPackage['keys'][number]>();
    for (const k of keys.keys) {
      if (
        typeof k?.wrapped !== 'string' ||
        typeof k.keyCheckValue !== 'string' ||
        byGeneration.has(k.generation)
      ) {
        throw refuse('a key entry is malformed or repeated');
      }
      byGeneration.set(k.generation, k);
    }
    return byGeneration;
  }

  /** This node's reply when it already holds exactly `state`; a different state is refused; undefined if none. */
  private heldAlready(state: DomainState): HsmDomainStateReply | undefined {
    if (!this.domain) return undefined;
    if (JSON.stringify(this.domain.state) === JSON.stringify(state)) return this.state();
    throw new KmsError(ErrorCodes.ALREADY_EXISTS, `node ${this.node.nodeId} already holds a domain state`);
  }

  private install(state: DomainState): void {
    this.domain = { state, nonces: [] };
    this.store.save(this.domain);
    this.node.domainGeneration = state.generation;
    this.logKeys();
  }

  private requireState(): DomainState {
    if (!this.domain)
      throw new KmsError(ErrorCodes.INVALID_STATE, `node ${this.node.nodeId} holds no domain state`);
    return this.domain.state;
  }
}

/** What is wrong with a state a node is asked to take as its first (genesis or join): empty when nothing. */
function stateProblems(state: DomainState, nodeId: string): string[] {
  const problems =
    typeof state?.epoch === 'number' &&
    Array.isArray(state.members) &&
    Array.isArray(state.operators) &&
    Array.isArray(state.generations)
      ? checkRules(state.rules, state.operators)
      : ['not a domain state'];
  if (!Array.isArray(state?.members) || !state.members.some((m) => m?.nodeId === nodeId))
    problems.push('it does not name this node');
  return problems;
}
