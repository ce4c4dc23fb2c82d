import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  HsmDomainApplyRequest,
  type HsmDomainApplyReply,
  HsmDomainGenesisRequest,
  type HsmDomainStateReply,
  KmsError,
} from '@symbolon/contracts';
import type { Hsm } from '@symbolon/pkcs11';
import {
  type DomainChange,
  type DomainProposal,
  type DomainState,
  checkProposal,
  checkRules,
} from '@symbolon/quorum';
import { logger } from '@symbolon/platform';

import { toKmsError } from '../token/hsm-errors.js';
import { HSM, NODE_SETTINGS, type NodeSettings } from '../token/hsm.tokens.js';
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
  }

  state(): HsmDomainStateReply {
    return {
      nodeId: this.node.nodeId,
      state: (this.domain?.state as unknown as Record<string, unknown>) ?? null,
    };
  }

  /**
   * The first state of a new domain, accepted once by a node that has none (trust on first use; a production node is
   * given its genesis by the operators at installation). It must be epoch 1, name this node, and have valid rules.
   */
  genesis(req: HsmDomainGenesisRequest): HsmDomainStateReply {
    const state = req.state as unknown as DomainState;
    if (this.domain) {
      if (JSON.stringify(this.domain.state) === JSON.stringify(state)) return this.state();
      throw new KmsError(ErrorCodes.ALREADY_EXISTS, `node ${this.node.nodeId} already holds a domain state`);
    }
    const problems =
      typeof state?.epoch === 'number' && Array.isArray(state.members) && Array.isArray(state.operators)
        ? checkRules(state.rules, state.operators)
        : ['not a domain state'];
    if (state?.epoch !== 1) problems.push('a genesis state has epoch 1');
    if (!state?.members?.some((m) => m.nodeId === this.node.nodeId))
      problems.push('it does not name this node');
    if (problems.length > 0) {
      throw new KmsError(ErrorCodes.VALIDATION, `genesis refused: ${problems.join('; ')}`);
    }
    this.domain = { state, nonces: [] };
    this.store.save(this.domain);
    logger.info({ domainId: state.domainId, epoch: state.epoch }, 'domain genesis installed');
    return this.state();
  }

  apply(req: HsmDomainApplyRequest): HsmDomainApplyReply {
    if (!this.domain)
      throw new KmsError(ErrorCodes.INVALID_STATE, `node ${this.node.nodeId} holds no domain state`);
    const now = new Date();
    const nonces = this.domain.nonces.filter((n) => Date.parse(n.expiresAt) > now.getTime());
    const result = checkProposal(this.domain.state, req.proposal, req.signatures, {
      now,
      seenNonces: new Set(nonces.map((n) => n.nonce)),
    });
    if (!result.ok) {
      logger.warn({ code: result.code, reason: result.message }, 'domain change refused');
      throw new KmsError(ErrorCodes.QUORUM_REFUSED, `${result.code}: ${result.message}`);
    }
    const proposal = req.proposal as unknown as DomainProposal;
    this.inToken(proposal.change, result.next);
    this.domain = {
      state: result.next,
      nonces: [...nonces, { nonce: proposal.nonce, expiresAt: proposal.expiresAt }],
    };
    this.store.save(this.domain);
    logger.info(
      { epoch: result.next.epoch, kind: proposal.change.kind, signers: result.signers },
      'domain change applied',
    );
    return { nodeId: this.node.nodeId, epoch: result.next.epoch, signers: result.signers };
  }

  /**
   * What an approved change does inside this token, before the new state is kept: a rotation makes the new
   * generation's domain key here (one token per domain: a domain of several tokens rotates by transporting the new key
   * between members, which is not built yet, so it is refused), a destruction destroys the generation's key and every
   * copy unwrapped under it.
   */
  private inToken(change: DomainChange, next: DomainState): void {
    try {
      if (change.kind === 'rotate-domain-key') {
        if (next.members.length > 1) {
          throw new KmsError(
            ErrorCodes.INVALID_STATE,
            'a domain of several tokens cannot rotate its domain key yet: the new key would differ between members',
          );
        }
        this.hsm.ensureDomainKey(change.generation);
        this.node.domainGeneration = next.generation;
      } else if (change.kind === 'destroy-generation') {
        this.hsm.destroyDomainKey(change.generation);
      }
    } catch (e) {
      throw toKmsError(e);
    }
  }
}
