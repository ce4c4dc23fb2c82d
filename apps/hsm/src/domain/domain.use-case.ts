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
  type QuorumRules,
  checkProposal,
  checkRules,
  nextGeneration,
  ruleSatisfied,
} from '@symbolon/quorum';
import { canonicalJson, signingBytes } from '@symbolon/evidence';
import { createPublicKey, verify } from 'node:crypto';
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
    this.node.member = this.domain?.state.members.some((m) => m.nodeId === this.node.nodeId) ?? false;
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
      signingPublicKey: toBase64(guard(() => this.hsm.signingPublicKey())),
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
   * The first state of a new domain (trust on first use, ADR 0012): accepted only by a token that made the key of the
   * state's one generation and holds no state, for a domain of exactly this node with this token's identity key, and,
   * when the node was installed to trust operators, with those operators. A node waiting to join, or one removed from
   * a domain (its keys destroyed), holds no such key: it can only join.
   */
  genesis(req: HsmDomainGenesisRequest): HsmDomainStateReply {
    const state = req.state as unknown as DomainState;
    if (this.domain) {
      if (canonicalJson(this.domain.state) === canonicalJson(state)) return this.state();
      throw new KmsError(ErrorCodes.ALREADY_EXISTS, `node ${this.node.nodeId} already holds a domain state`);
    }
    const problems = stateProblems(state, this.node.nodeId);
    if (problems.length === 0) {
      if (state.epoch !== 1) problems.push('a genesis state has epoch 1');
      if (state.members.length !== 1) problems.push('a genesis names this node alone');
      const me = state.members[0]!;
      if (me.identityPublicKey !== undefined && me.identityPublicKey !== this.state().identityPublicKey) {
        problems.push('it names another identity key for this node');
      }
      const g = state.generations;
      if (g.length !== 1 || g[0]!.generation !== state.generation || g[0]!.state !== 'active') {
        problems.push('a genesis has its one generation active');
      } else if (!guard(() => this.hsm.genesisPending() && this.hsm.hasDomainKey(state.generation))) {
        problems.push(`this token made no key of generation ${state.generation} for a new domain`);
      } else if (
        g[0]!.keyCheckValue !== undefined &&
        g[0]!.keyCheckValue !== this.heldCheckValue(state.generation)
      ) {
        problems.push(`generation ${state.generation} has another check value in this token`);
      }
      const anchor = this.trustedAnchor();
      if (anchor) {
        if (
          canonicalJson(sortedOperators(anchor.operators)) !== canonicalJson(sortedOperators(state.operators))
        ) {
          problems.push('its operators are not the ones this node trusts');
        }
        const weak = weakerRules(state, anchor);
        if (weak) problems.push(weak);
      }
    }
    if (problems.length > 0) {
      throw new KmsError(ErrorCodes.VALIDATION, `genesis refused: ${problems.join('; ')}`);
    }
    this.install({ state, nonces: [] });
    guard(() => this.hsm.clearGenesisPending());
    logger.info({ domainId: state.domainId, epoch: state.epoch }, 'domain genesis installed');
    return this.state();
  }

  /**
   * A node joins the domain that made it a member (ADR 0013). The relay sends the state the add-member applied to, the
   * approved proposal with its signatures, and the domain keys a member wrapped for this token. The node checks the
   * proposal like any other (libs/quorum checkProposal), against that state, whose digest the operators signed, and
   * counting only the signatures of the operators it was installed to trust (SYMBOLON_HSM_OPERATORS_FILE; without
   * that file, trust on first use of the state's operators); the change must add this node with this token's
   * identity key. It then computes the state itself, keeps each key only with the check value the operators signed,
   * and installs all of it or nothing. A node removed earlier keeps its last state and its seen nonces: only an
   * add-member made after its removal lets it back.
   */
  join(req: HsmDomainJoinRequest): HsmDomainStateReply {
    const before = req.state as unknown as DomainState;
    const refuse = (why: string): KmsError => new KmsError(ErrorCodes.VALIDATION, `join refused: ${why}`);
    const held = this.domain;
    // Read once: the operators (and rules) this node was installed to trust.
    const anchor = this.trustedAnchor();
    if (held && held.state.members.some((m) => m.nodeId === this.node.nodeId)) {
      const next = this.nextOf(before, req, anchor);
      if (next && canonicalJson(held.state) === canonicalJson(next)) return this.state();
      throw new KmsError(ErrorCodes.ALREADY_EXISTS, `node ${this.node.nodeId} already holds a domain state`);
    }
    const problems = stateProblems(before, '');
    if (problems.length > 0) throw refuse(problems.join('; '));
    const p = req.proposal as unknown as Partial<DomainProposal>;
    if (held && (p.domainId !== held.state.domainId || (p.epoch ?? -1) < held.state.epoch)) {
      throw refuse('this node left the domain after that proposal');
    }
    const now = new Date();
    const result = checkProposal(before, req.proposal, req.signatures, {
      now,
      seenNonces: new Set((held?.nonces ?? []).map((n) => n.nonce)),
      trustedOperators: anchor?.operators,
    });
    if (!result.ok) throw refuse(`the add-member is not approved: ${result.code}: ${result.message}`);
    // The relayed state names the rule; the installation's trust (and a state this node held before) must hold too.
    if (anchor && !anchorApproves(anchor, 'add-member', result.signers)) {
      throw refuse(
        `the add-member is not approved by the operators this node trusts (${result.signers.join(', ')})`,
      );
    }
    if (held) {
      const again = checkProposal(before, req.proposal, req.signatures, {
        now,
        trustedOperators: held.state.operators,
      });
      const rule = held.state.rules['add-member'];
      if (!again.ok || !ruleSatisfied(rule, again.signers)) {
        throw refuse('the add-member is not approved under the rule of the state this node held');
      }
    }
    const change = (req.proposal as unknown as DomainProposal).change;
    if (change.kind !== 'add-member' || change.member.nodeId !== this.node.nodeId) {
      throw refuse('the proposal does not add this node');
    }
    if (change.member.identityPublicKey !== this.state().identityPublicKey) {
      throw refuse('the proposal names another identity key for this node');
    }
    const next = result.next;
    const signed = new Map((change.keyCheckValues ?? []).map((v) => [v.generation, v.keyCheckValue]));
    const keys = this.packageFor(req.keys, next);
    const taken: number[] = [];
    try {
      for (const g of next.generations.filter((x) => x.state !== 'destroyed')) {
        const key = keys.get(g.generation);
        const kcv = signed.get(g.generation);
        if (!key || kcv === undefined) throw refuse(`no signed key for generation ${g.generation}`);
        if (this.receiveKey(g.generation, key.wrapped, kcv, false)) taken.push(g.generation);
      }
    } catch (e) {
      // All or nothing: a later genuine join must not meet keys of this attempt.
      for (const g of taken) guard(() => this.hsm.destroyDomainKey(g));
      throw e;
    }
    const nonces = [...(held?.nonces ?? []), { nonce: p.nonce!, expiresAt: p.expiresAt! }];
    this.install({ state: next, nonces });
    logger.info({ domainId: next.domainId, epoch: next.epoch, from: req.keys.from }, 'joined the domain');
    return this.state();
  }

  /** The state `req`'s proposal makes of `before`, when it is approved; undefined otherwise. */
  private nextOf(
    before: DomainState,
    req: HsmDomainJoinRequest,
    anchor: TrustAnchor | undefined,
  ): DomainState | undefined {
    const r = checkProposal(before, req.proposal, req.signatures, {
      now: new Date(),
      trustedOperators: anchor?.operators,
    });
    return r.ok ? r.next : undefined;
  }

  /**
   * What this node was installed to trust (SYMBOLON_HSM_OPERATORS_FILE): the operators, and optionally the rules, as
   * `{ operators: [{ id, publicKey }], rules? }` (a bare list is the operators). Undefined when no file is configured
   * (trust on first use).
   */
  private trustedAnchor(): TrustAnchor | undefined {
    const file = this.node.operatorsFile;
    if (file === undefined) {
      logger.warn('no trusted operators configured: the domain this node takes is trusted on first use');
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new KmsError(ErrorCodes.INVALID_STATE, `the trusted operators file ${file} cannot be read`);
    }
    const body = (Array.isArray(parsed) ? { operators: parsed } : parsed) as Partial<TrustAnchor> | null;
    const operators = body?.operators;
    const ok =
      Array.isArray(operators) &&
      operators.length > 0 &&
      operators.every((o) => typeof o?.id === 'string' && typeof o?.publicKey === 'string') &&
      (body?.rules === undefined || checkRules(body.rules, operators).length === 0);
    if (!ok) {
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `the trusted operators file ${file} is not [{ id, publicKey }] or { operators, rules }`,
      );
    }
    return {
      operators: operators.map(({ id, publicKey }) => ({ id, publicKey })),
      ...(body?.rules ? { rules: body.rules } : {}),
    };
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
    if (!this.hsm.canTrustMembers()) {
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `node ${this.node.nodeId} has no usable security officer PIN: it cannot send the key it would make`,
      );
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
    const body = {
      domainId: state.domainId,
      epoch: state.epoch,
      from: this.node.nodeId,
      to: to.nodeId,
      keys,
    };
    return { ...body, signature: toBase64(guard(() => this.hsm.sign(signingBytes(body)))) };
  }

  /**
   * Takes the next generation's key that the origin member made ahead of an approved rotation, before any member
   * applies it, so that every member holds it by the time any member starts to wrap under it. The request carries the
   * rotation proposal and its signatures, checked here against this node's own state (its nonce is not used up): the
   * key must come from the origin it names and have the check value the operators signed. A candidate this node made
   * for an abandoned proposal is replaced, only by a key that proved that value; live generations are never replaced.
   */
  receive(req: HsmDomainReceiveRequest): HsmDomainReceiveReply {
    const domain = this.requireDomain();
    const check = checkProposal(domain.state, req.proposal, req.signatures, {
      now: new Date(),
      seenNonces: new Set(domain.nonces.map((n) => n.nonce)),
    });
    if (!check.ok) throw new KmsError(ErrorCodes.QUORUM_REFUSED, `${check.code}: ${check.message}`);
    const change = (req.proposal as unknown as DomainProposal).change;
    if (change.kind !== 'rotate-domain-key' || change.keyCheckValue === undefined) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        'domain keys are received ahead only for a rotation that names one',
      );
    }
    if (req.keys?.from !== change.origin) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `the key comes from ${String(req.keys?.from)}, not from the origin`,
      );
    }
    const key = this.packageFor(req.keys, domain.state).get(change.generation);
    if (!key) throw new KmsError(ErrorCodes.VALIDATION, `no key of generation ${change.generation}`);
    this.receiveKey(change.generation, key.wrapped, change.keyCheckValue, true);
    return { nodeId: this.node.nodeId, generations: [change.generation] };
  }

  apply(req: HsmDomainApplyRequest): HsmDomainApplyReply {
    const domain = this.requireDomain();
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
    this.install({
      state: result.next,
      nonces: [...nonces, { nonce: proposal.nonce, expiresAt: proposal.expiresAt }],
    });
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
        const held = this.heldCheckValue(v.generation);
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
        // A domain of one token: a key made now (a candidate of an earlier proposal is not reused).
        guard(() => {
          this.hsm.destroyDomainKey(g);
          this.hsm.ensureDomainKey(g);
        });
        return;
      }
      const held = this.heldCheckValue(g);
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

  /** The check value of the token's key of `generation`, undefined when it holds none. */
  private heldCheckValue(generation: number): string | undefined {
    return guard(() =>
      this.hsm.hasDomainKey(generation) ? this.hsm.domainKeyCheckValue(generation) : undefined,
    );
  }

  /** A domain key into the token; one that does not unwrap to its check value is the package's fault: VALIDATION. */
  private receiveKey(generation: number, wrapped: string, keyCheckValue: string, replace: boolean): boolean {
    try {
      return this.hsm.receiveDomainKey(generation, fromBase64(wrapped), keyCheckValue, { replace }).created;
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
    const sender = state.members.find((m) => m.nodeId === keys.from);
    if (keys.from === this.node.nodeId || !sender) {
      throw refuse(`${String(keys.from)} is not another member`);
    }
    // Only a member's token can send keys: its signing key is in the state (a member added before members named one
    // is trusted on its check values alone).
    if (sender.signingPublicKey !== undefined) {
      const { signature, ...body } = keys;
      if (
        typeof signature !== 'string' ||
        !verifiesEd25519(sender.signingPublicKey, signingBytes(body), signature)
      ) {
        throw refuse(`they are not signed by the token of ${sender.nodeId}`);
      }
    } else {
      logger.warn(
        { from: sender.nodeId },
        'the sender names no signing key in the state: its package is not signed',
      );
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

  private install(domain: NodeDomain): void {
    this.domain = domain;
    this.store.save(domain);
    this.node.domainGeneration = domain.state.generation;
    this.node.member = domain.state.members.some((m) => m.nodeId === this.node.nodeId);
    this.logKeys();
  }

  private requireDomain(): NodeDomain {
    if (!this.domain)
      throw new KmsError(ErrorCodes.INVALID_STATE, `node ${this.node.nodeId} holds no domain state`);
    return this.domain;
  }

  private requireState(): DomainState {
    return this.requireDomain().state;
  }
}

/**
 * What is wrong with a state a node is asked to take (a genesis, or the state an add-member applied to): empty when
 * nothing. `nodeId` '': the state need not name this node.
 */
function stateProblems(state: DomainState, nodeId: string): string[] {
  const problems =
    typeof state?.epoch === 'number' &&
    Array.isArray(state.members) &&
    Array.isArray(state.operators) &&
    Array.isArray(state.generations) &&
    typeof state.rules === 'object' &&
    state.rules !== null
      ? checkRules(state.rules, state.operators)
      : ['not a domain state'];
  if (nodeId !== '' && (!Array.isArray(state?.members) || !state.members.some((m) => m?.nodeId === nodeId)))
    problems.push('it does not name this node');
  return problems;
}

function sortedOperators(operators: readonly Operator[]): Operator[] {
  return [...operators]
    .map(({ id, publicKey }) => ({ id, publicKey }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** What a node was installed to trust: operators, and the rules they approve changes by (else a majority of them). */
interface TrustAnchor {
  operators: Operator[];
  rules?: QuorumRules;
}

/** Whether `signers` (already verified against the anchor's keys) approve a change of `kind` for the anchor. */
function anchorApproves(anchor: TrustAnchor, kind: keyof QuorumRules, signers: readonly string[]): boolean {
  if (anchor.rules) return ruleSatisfied(anchor.rules[kind], signers);
  return signers.filter((s) => anchor.operators.some((o) => o.id === s)).length >= majority(anchor.operators);
}

function majority(operators: readonly Operator[]): number {
  return Math.floor(operators.length / 2) + 1;
}

/** Why a genesis's rules are weaker than the anchor allows, or undefined: equal rules, or no alternative below a majority. */
function weakerRules(state: DomainState, anchor: TrustAnchor): string | undefined {
  if (anchor.rules) {
    return canonicalJson(anchor.rules) === canonicalJson(state.rules)
      ? undefined
      : 'its rules are not the ones this node trusts';
  }
  const least = majority(anchor.operators);
  const weak = Object.entries(state.rules).find(([, rule]) =>
    rule.alternatives.some((a) => a.threshold < least),
  );
  return weak ? `its ${weak[0]} rule needs fewer than ${least} of the operators this node trusts` : undefined;
}

/** An Ed25519 signature (base64) by an SPKI DER key (base64) over `bytes`; false for anything malformed. */
function verifiesEd25519(spkiBase64: string, bytes: Uint8Array, signatureBase64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    const signature = Buffer.from(signatureBase64, 'base64');
    return (
      key.asymmetricKeyType === 'ed25519' && signature.length === 64 && verify(null, bytes, key, signature)
    );
  } catch {
    return false;
  }
}
