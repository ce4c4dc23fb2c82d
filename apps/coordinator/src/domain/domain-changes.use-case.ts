import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  CancelProposalRequest,
  type DomainStatusReply,
  ErrorCodes,
  type DomainKeyPackage,
  HsmActions,
  type HsmDomainApplyReply,
  type HsmDomainPrepareRotationReply,
  type HsmDomainStateReply,
  KmsError,
  NodeIdentityRequest,
  type NodeIdentityReply,
  OpenProposalRequest,
  PrepareRotationRequest,
  type PrepareRotationReply,
  type RequestHandledEvent,
  SubmitProposalRequest,
  type SubmitProposalReply,
} from '@symbolon/contracts';
import { type AuditPublisher, logger } from '@symbolon/platform';
import { type DomainProposal, type DomainState, describeRule, nextGeneration } from '@symbolon/quorum';
import { randomUUID } from 'node:crypto';
import { type DataSource, IsNull } from 'typeorm';

import { CLOCK, type Clock } from '../clock.js';
import { Rewrap } from '../jobs/rewrap.js';
import { type DomainRoute, HsmRouter, isNodeFailure } from '../routing/hsm-router.js';
import { NodeHealth } from '../routing/node-health.js';
import { DATA_SOURCE, JOB_EVENTS } from '../tokens.js';
import { CustomKeyStores } from './custom-key-stores.js';
import { DomainProposalEntity } from './domain.entity.js';
import { DomainService } from './domain.service.js';

/** How often members that hold no domain state yet are asked again. */
const INSTALL_RETRY_MS = 1000;

/**
 * Relays domain changes from the operators' tooling to every member and tracks them; it decides nothing. Each hsm
 * node checks a proposal against its own copy of the domain (libs/quorum), so a change the coordinator made up, or
 * relayed with too few signatures, is refused by the nodes. One proposal is open per domain at a time. Every submit,
 * applied or refused, is recorded in the audit chain (`Symbolon.DomainChange`).
 */
@Injectable()
export class DomainChangesUseCase implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Members known to hold a domain state: never asked again. */
  private readonly holding = new Set<string>();
  private retry?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(
    @Inject(DomainService) private readonly domain: DomainService,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(JOB_EVENTS) private readonly events: Pick<AuditPublisher, 'publish'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(Rewrap) private readonly rewrap: Rewrap,
    @Inject(NodeHealth) private readonly health: NodeHealth,
    @Inject(CustomKeyStores) private readonly keyStores: CustomKeyStores,
  ) {}

  onApplicationBootstrap(): void {
    void this.keepInstalling();
  }

  beforeApplicationShutdown(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.stopped = true;
  }

  /**
   * Installs every member's state, again every INSTALL_RETRY_MS while a member holds none (the hsm nodes may start
   * after the coordinator): until then the health checks find it not ready and hold it back.
   */
  private async keepInstalling(): Promise<void> {
    try {
      await this.installMembers();
    } catch (e) {
      if (this.retry === undefined) {
        logger.warn({ err: (e as Error).message }, 'a member holds no domain state yet; retried');
      }
    }
    const waiting = this.domain.all().some((d) => d.state.members.some((m) => !this.holding.has(m.nodeId)));
    if (!waiting || this.stopped) return;
    this.retry = setTimeout(() => void this.keepInstalling(), INSTALL_RETRY_MS);
    this.retry.unref();
  }

  /** Every domain's members get their state (installDomain); one domain's trouble does not stop the others. */
  async installMembers(): Promise<void> {
    let failure: unknown;
    for (const { domainId } of this.domain.all()) {
      try {
        await this.installDomain(domainId);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * A member with no domain state of its own gets one: the domain's first state (epoch 1), or, for a member an
   * add-member made, the current state with the domain keys another member wraps for it (join). Each member is asked
   * until it holds a state; after that it keeps its own.
   */
  private async installDomain(domainId: string): Promise<void> {
    const route = this.hsm.in(domainId);
    let current = this.domain.current(domainId);
    const waiting: HsmDomainStateReply[] = [];
    for (const { nodeId } of current.members) {
      if (this.holding.has(nodeId)) continue;
      let r: HsmDomainStateReply;
      try {
        r = await route.callNode<HsmDomainStateReply>(nodeId, HsmActions.domainState, {
          requestId: `genesis-${randomUUID()}`,
        });
      } catch (e) {
        // A member that does not answer must not block the changes that could mend it (a remove-member, say).
        this.health.holdBack(nodeId, (e as Error).message);
        continue;
      }
      if (r.state !== null) this.holding.add(nodeId);
      else waiting.push(r);
    }
    if (waiting.length === 0) return;
    if (current.epoch === 1) {
      // No member holds the first state yet: it names the identity keys their tokens report (trust on first use).
      if (this.holding.size === 0 && current.members.some((m) => m.identityPublicKey === undefined)) {
        current = await this.domain.amendGenesis(
          domainId,
          new Map(
            waiting.map((r) => [
              r.nodeId,
              { identityPublicKey: r.identityPublicKey, signingPublicKey: r.signingPublicKey },
            ]),
          ),
        );
      }
      for (const { nodeId } of waiting) {
        await route.callNode(nodeId, HsmActions.domainGenesis, {
          requestId: `genesis-${randomUUID()}`,
          state: current,
        });
        this.holding.add(nodeId);
        logger.info({ nodeId, domainId: current.domainId }, 'domain genesis sent to a member');
      }
      return;
    }
    // A member that cannot join yet must not block the changes that could mend it (a remove-member, say).
    for (const { nodeId } of waiting) {
      try {
        await this.join(current, nodeId, `join-${randomUUID()}`);
      } catch (e) {
        this.health.holdBack(nodeId, 'joining');
        logger.warn({ nodeId, err: (e as Error).message }, 'a member holds no state and could not join yet');
      }
    }
  }

  /**
   * A new member joins: it is sent the state the add-member applied to, the approved proposal with its signatures, and
   * every live domain key, wrapped inside another member's token for the identity key the proposal names (the keys
   * never exist outside a token unwrapped). It computes the new state itself, so it can join only while the domain is
   * still at the epoch the add-member made; later, the operators remove it and add it again.
   */
  private async join(current: DomainState, nodeId: string, requestId: string): Promise<void> {
    const approval = await this.approvalOf(current.domainId, nodeId);
    const epoch = (approval.proposal as Partial<DomainProposal>).epoch ?? -1;
    if (current.epoch !== epoch + 1) {
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `the domain moved on since ${nodeId} was added (epoch ${current.epoch}): remove it and add it again`,
      );
    }
    const before = await this.domain.stateAt(current.domainId, epoch);
    const sources = current.members.filter((m) => m.nodeId !== nodeId);
    const ordered = [
      ...sources.filter((m) => this.health.isUp(m.nodeId)),
      ...sources.filter((m) => !this.health.isUp(m.nodeId)),
    ];
    let keys: DomainKeyPackage | undefined;
    let last: unknown;
    // Any member that can send (it has a usable SO PIN) will do.
    for (const source of ordered) {
      try {
        keys = await this.hsm
          .in(current.domainId)
          .callNode<DomainKeyPackage>(source.nodeId, HsmActions.domainTransport, {
            requestId,
            to: nodeId,
          });
        break;
      } catch (e) {
        last = e;
      }
    }
    if (!keys) throw last ?? new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'no member can send the domain keys');
    await this.hsm.callAnyNode(nodeId, HsmActions.domainJoin, {
      requestId,
      state: before,
      keys,
      ...approval,
    });
    this.holding.add(nodeId);
    logger.info({ nodeId, from: keys.from, generations: keys.keys.length }, 'a new member joined the domain');
  }

  /**
   * The applied add-member that made `nodeId` a member, with the operators' signatures (kept with the proposal): what
   * the joining node checks. None: VALIDATION, and the operators remove the member and add it again.
   */
  private async approvalOf(
    domainId: string,
    nodeId: string,
  ): Promise<{ proposal: Record<string, unknown>; signatures: unknown[] }> {
    const applied = await this.ds
      .getRepository(DomainProposalEntity)
      .find({ where: { domainId, outcome: 'applied' }, order: { openedAt: 'DESC' } });
    for (const row of applied) {
      const proposal = JSON.parse(row.proposal) as DomainProposal;
      if (
        row.signatures &&
        proposal.change.kind === 'add-member' &&
        proposal.change.member.nodeId === nodeId
      ) {
        return {
          proposal: proposal as unknown as Record<string, unknown>,
          signatures: JSON.parse(row.signatures) as unknown[],
        };
      }
    }
    throw new KmsError(
      ErrorCodes.VALIDATION,
      `no applied add-member of ${nodeId} is kept: remove it and add it again`,
    );
  }

  /** One member makes the next generation's domain key ahead of a rotation; the proposal names it and its value. */
  async prepareRotation(req: PrepareRotationRequest): Promise<PrepareRotationReply> {
    const state = this.domain.current(req.domainId ?? this.domain.defaultId());
    const route = this.hsm.in(state.domainId);
    const generation = nextGeneration(state);
    let last: unknown;
    // The origin must be able to send the key to the others (a usable SO PIN): a member that cannot says so.
    for (const { nodeId } of state.members) {
      if (!this.health.isUp(nodeId)) continue;
      try {
        const reply = await route.callNode<HsmDomainPrepareRotationReply>(
          nodeId,
          HsmActions.domainPrepareRotation,
          { requestId: req.requestId, generation },
        );
        return { origin: nodeId, generation, keyCheckValue: reply.keyCheckValue };
      } catch (e) {
        last = e;
      }
    }
    throw last ?? new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'no member of the domain is up');
  }

  /** A node's identity as its token reports it, member or not: what an add-member proposal names. */
  async nodeIdentity(req: NodeIdentityRequest): Promise<NodeIdentityReply> {
    const r = await this.hsm.callAnyNode<HsmDomainStateReply>(req.nodeId, HsmActions.domainState, {
      requestId: req.requestId,
    });
    const domainId = (r.state as { domainId?: unknown } | null)?.domainId;
    return {
      nodeId: r.nodeId,
      tokenLabel: r.tokenLabel,
      identityPublicKey: r.identityPublicKey,
      signingPublicKey: r.signingPublicKey,
      domainId: typeof domainId === 'string' ? domainId : null,
      keyCheckValues: r.keyCheckValues,
    };
  }

  /**
   * The key a rotation names reaches every other member before any member applies it (so all can unwrap under it);
   * each member checks the approved rotation before it takes the key.
   */
  private async distribute(
    route: DomainRoute,
    origin: string,
    generation: number,
    req: SubmitProposalRequest,
  ): Promise<void> {
    const { requestId, proposal, signatures } = req;
    for (const nodeId of route.members()) {
      if (nodeId === origin) continue;
      const keys = await route.callNode<DomainKeyPackage>(origin, HsmActions.domainTransport, {
        requestId,
        to: nodeId,
        generations: [generation],
      });
      await route.callNode(nodeId, HsmActions.domainReceive, { requestId, keys, proposal, signatures });
    }
  }

  /** One domain (the default unless named), with the list of every domain. */
  async status(req: { domainId?: string } = {}): Promise<DomainStatusReply> {
    await this.installMembers().catch(() => undefined);
    const state = this.domain.current(req.domainId ?? this.domain.defaultId());
    const open = await this.openProposal(state.domainId);
    const rewrapRemaining = await this.rewrap.remaining(state.domainId);
    const members = new Set(state.members.map((m) => m.nodeId));
    const heldBack = this.health.heldBack().filter((n) => members.has(n));
    const domains = this.keyStores.list();
    if (!open)
      return { state: state as unknown as Record<string, unknown>, rewrapRemaining, heldBack, domains };
    const proposal = JSON.parse(open.proposal) as DomainProposal;
    return {
      state: state as unknown as Record<string, unknown>,
      rewrapRemaining,
      heldBack,
      domains,
      open: {
        proposal: proposal as unknown as Record<string, unknown>,
        openedAt: open.openedAt.toISOString(),
        rule: describeRule(state.rules[proposal.change.kind]),
      },
    };
  }

  async open(req: OpenProposalRequest): Promise<DomainStatusReply> {
    const p = req.proposal as Partial<DomainProposal>;
    const state = this.proposedDomain(p);
    const expires = typeof p.expiresAt === 'string' ? Date.parse(p.expiresAt) : NaN;
    if (
      p.domainId !== state.domainId ||
      p.epoch !== state.epoch ||
      typeof p.nonce !== 'string' ||
      p.nonce.length > 32 ||
      typeof p.change?.kind !== 'string' ||
      !(expires > this.clock.now().getTime())
    ) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `not a proposal for domain ${state.domainId} at epoch ${state.epoch}, unexpired`,
      );
    }
    const open = await this.openProposal(state.domainId);
    if (open && open.nonce !== p.nonce) {
      throw new KmsError(
        ErrorCodes.CONFLICT,
        `proposal ${open.nonce} is open until ${open.expiresAt.toISOString()}: submit or cancel it first`,
      );
    }
    if (!open) {
      await this.ds.getRepository(DomainProposalEntity).insert({
        nonce: p.nonce,
        domainId: state.domainId,
        proposal: JSON.stringify(req.proposal),
        openedAt: this.clock.now(),
        expiresAt: new Date(expires),
        outcome: null,
      });
    }
    return this.status({ domainId: state.domainId });
  }

  /** The domain a proposal names: VALIDATION when it names none this coordinator serves. */
  private proposedDomain(p: Partial<DomainProposal>): DomainState {
    const domain = typeof p.domainId === 'string' ? this.domain.find(p.domainId) : undefined;
    if (!domain) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `the proposal names no domain of this coordinator (${this.domain
          .all()
          .map((d) => d.domainId)
          .join(', ')})`,
      );
    }
    return domain.state;
  }

  async cancel(req: CancelProposalRequest): Promise<{ cancelled: boolean }> {
    const r = await this.ds
      .getRepository(DomainProposalEntity)
      .update({ nonce: req.nonce, outcome: IsNull() }, { outcome: 'cancelled' });
    return { cancelled: (r.affected ?? 0) > 0 };
  }

  /**
   * Sends the proposal and its signatures to every member, one after another. All applied: the coordinator adopts
   * the state the first member now holds. A refusal stops the relay and is answered with the node's reason. Around
   * the relay, the keys move between tokens: a rotation's new key reaches every member before any applies it, and a
   * new member joins (receives the state and the keys) before the coordinator routes to it.
   */
  async submit(req: SubmitProposalRequest): Promise<SubmitProposalReply> {
    const state = this.proposedDomain(req.proposal as Partial<DomainProposal>);
    await this.installDomain(state.domainId);
    const route = this.hsm.in(state.domainId);
    const change = (req.proposal as Partial<DomainProposal>).change;
    const kind = String(change?.kind ?? 'unknown').slice(0, 32);
    // A relay's one refusal of its own: destroying a generation that still wraps live EKTs would lose those keys.
    if (change?.kind === 'destroy-generation' && typeof change.generation === 'number') {
      const left = await this.rewrap.under(state.domainId, change.generation);
      if (left > 0) {
        throw new KmsError(
          ErrorCodes.VALIDATION,
          `${left} key versions are still wrapped under generation ${change.generation}: wait for the re-wrap`,
        );
      }
    }
    const applied: { nodeId: string; epoch: number }[] = [];
    let signers: string[] = [];
    try {
      if (change?.kind === 'rotate-domain-key' && typeof change.origin === 'string') {
        await this.distribute(route, change.origin, change.generation, req);
      }
      // A member being removed is routed to no more, and applies last: it destroys its keys only once every other
      // member has let it go.
      const leaving = change?.kind === 'remove-member' ? change.nodeId : undefined;
      if (leaving !== undefined) this.health.holdBack(leaving, 'being removed');
      const order = [
        ...state.members.filter((m) => m.nodeId !== leaving),
        ...state.members.filter((m) => m.nodeId === leaving),
      ];
      for (const { nodeId } of order) {
        let r: HsmDomainApplyReply;
        try {
          r = await this.applyOn(route, nodeId, req);
        } catch (e) {
          // The leaving member is last: if it cannot be reached, every other member has let it go, and the
          // coordinator follows them (a token that lost its keys, or is gone, must still be removable).
          if (nodeId !== leaving || applied.length === 0 || !isNodeFailure(e)) {
            throw e;
          }
          logger.warn({ nodeId, err: e.message }, 'the removed member did not answer: removed without it');
          continue;
        }
        applied.push({ nodeId, epoch: r.epoch });
        if (r.signers.length > 0) signers = r.signers;
      }
    } catch (e) {
      const code = e instanceof KmsError ? e.message.split(':')[0]!.slice(0, 32) : 'FAILED';
      await this.record(req, kind, code, e instanceof Error ? e.message : String(e), applied);
      if (applied.length > 0) {
        logger.error({ applied, refusedBy: state.members[applied.length]?.nodeId }, 'members out of step');
      }
      throw e;
    }
    const held = await route.callNode<HsmDomainStateReply>(applied[0]!.nodeId, HsmActions.domainState, {
      requestId: req.requestId,
    });
    const next = held.state as unknown as DomainState;
    // Recorded first: the add-member is kept with its signatures, which the joining node checks.
    await this.record(req, kind, 'ok', `applied by ${signers.join(', ')}`, applied);
    if (change?.kind === 'add-member') {
      const joining = change.member.nodeId;
      try {
        await this.join(next, joining, req.requestId);
      } catch (e) {
        // The members have moved on: the coordinator follows them, holds the new node back, and retries the join.
        this.health.holdBack(joining, 'joining');
        logger.error({ nodeId: joining, err: (e as Error).message }, 'new member not joined yet');
      }
    }
    await this.domain.adopt(next);
    return { epoch: applied[0]!.epoch, members: applied, signers };
  }

  /**
   * One member applies the proposal. A member that already applied it (a relay that stopped half way, submitted
   * again) answers REPLAYED: it counts as applied when it holds the state the proposal made.
   */
  private async applyOn(
    route: DomainRoute,
    nodeId: string,
    req: SubmitProposalRequest,
  ): Promise<HsmDomainApplyReply> {
    const { requestId, proposal, signatures } = req;
    try {
      return await route.callNode<HsmDomainApplyReply>(nodeId, HsmActions.domainApply, {
        requestId,
        proposal,
        signatures,
      });
    } catch (e) {
      // Only while the coordinator has not adopted its result: a proposal applied everywhere stays REPLAYED.
      const epochOf = (proposal as Partial<DomainProposal>).epoch;
      if (
        !(e instanceof KmsError) ||
        !e.message.startsWith('REPLAYED') ||
        this.domain.current(route.domainId).epoch !== epochOf
      ) {
        throw e;
      }
      const held = await route.callNode<HsmDomainStateReply>(nodeId, HsmActions.domainState, {
        requestId,
      });
      const epoch = (held.state as Partial<DomainState> | null)?.epoch;
      if (epoch !== epochOf + 1) throw e;
      return { nodeId, epoch, signers: [] };
    }
  }

  private openProposal(domainId: string): Promise<DomainProposalEntity | null> {
    return this.ds.getRepository(DomainProposalEntity).findOne({ where: { domainId, outcome: IsNull() } });
  }

  /** Closes the open proposal (when it is the one submitted) and records the outcome in the audit chain. */
  private async record(
    req: SubmitProposalRequest,
    kind: string,
    outcome: string,
    reason: string,
    applied: { nodeId: string }[],
  ): Promise<void> {
    const p = req.proposal as Partial<DomainProposal>;
    if (typeof p.nonce === 'string' && outcome === 'ok') {
      // Kept with its signatures (a node that joins later checks them), also when it was submitted without `open`.
      const repo = this.ds.getRepository(DomainProposalEntity);
      const signatures = JSON.stringify(req.signatures);
      const r = await repo.update({ nonce: p.nonce, outcome: IsNull() }, { outcome: 'applied', signatures });
      if ((r.affected ?? 0) === 0 && typeof p.domainId === 'string' && typeof p.expiresAt === 'string') {
        await repo.insert({
          nonce: p.nonce,
          domainId: p.domainId,
          proposal: JSON.stringify(req.proposal),
          openedAt: this.clock.now(),
          expiresAt: new Date(p.expiresAt),
          outcome: 'applied',
          signatures,
        });
      }
    }
    const event: RequestHandledEvent = {
      requestId: req.requestId,
      time: this.clock.now().toISOString(),
      tenantId: null,
      principal: 'operators',
      accessKeyId: null,
      sourceIp: 'coordinator',
      operation: 'Symbolon.DomainChange',
      keyArn: null,
      keyVersion: null,
      encryptionContext: { change: kind, members: applied.map((a) => a.nodeId).join(',') },
      decision: { effect: outcome === 'ok' ? 'ALLOW' : 'DENY', reason: reason.slice(0, 512) },
      outcome,
      httpStatus: 0,
    };
    try {
      await this.events.publish(event);
    } catch (e) {
      logger.error({ err: (e as Error).message, outcome }, 'domain change not recorded in the audit chain');
    }
  }
}
