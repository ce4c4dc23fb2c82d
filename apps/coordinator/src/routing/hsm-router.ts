import { Inject, Injectable } from '@nestjs/common';
import { type ErrorCode, ErrorCodes, type HsmAction, KmsError, hsmSubject } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { DomainService } from '../domain/domain.service.js';
import { RPC } from '../tokens.js';
import { NodeHealth } from './node-health.js';

/** Failures that say the node, not the request, is the problem: worth trying the next node. */
const FAILOVER: ReadonlySet<ErrorCode> = new Set([ErrorCodes.HSM_UNAVAILABLE, ErrorCodes.DEPENDENCY_TIMEOUT]);

/** Whether `e` says the node failed (it did not answer, or its token is unavailable), not the request. */
export function isNodeFailure(e: unknown): e is KmsError {
  return e instanceof KmsError && FAILOVER.has(e.code);
}

/**
 * Sends a key operation to an hsm node of a key's domain (`in(domainId)`, `forKey(key)`): round robin over the members
 * that are up, and on a retryable failure (timeout, no responder, token unavailable) the next member, each at most
 * once per request. A member that failed, or whose health check says it is not ready (no key of the active generation
 * yet), is held back until a health check finds it ready again; it is still tried last, so a request fails only when
 * no member of the domain can serve it. A node of another domain is never asked: its tokens hold other domain keys.
 */
@Injectable()
export class HsmRouter {
  /** One route per domain, made on first use: a request allocates nothing to find its members. */
  private readonly routes = new Map<string, MembersRoute>();

  constructor(
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(DomainService) private readonly domains: DomainService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(NodeHealth) private readonly health: NodeHealth,
  ) {}

  /** The members of one domain (CUSTOM_KEY_STORE_NOT_FOUND for an unknown id). */
  in(domainId: string): DomainRoute {
    let route = this.routes.get(domainId);
    if (!route) {
      this.domains.get(domainId);
      route = new MembersRoute(domainId, this.domains, this.health, this);
      this.routes.set(domainId, route);
    }
    return route;
  }

  /** The members of the domain a key lives in. */
  forKey(key: { domainId: string | null }): DomainRoute {
    return this.in(key.domainId ?? this.domains.defaultId());
  }

  /** Any hsm node, member or not (a node asked for its identity, or joining a domain). */
  callAnyNode<TReply>(nodeId: string, action: HsmAction, payload: object): Promise<TReply> {
    return this.rpc.send<TReply>(hsmSubject(nodeId, action), payload, this.config.SYMBOLON_HSM_TIMEOUT_MS);
  }
}

/** The members of one domain, as HsmRouter.in() gives them. */
export interface DomainRoute {
  readonly domainId: string;
  call<TReply>(action: HsmAction, payload: object): Promise<TReply>;
  callAny<TReply>(action: HsmAction, payload: object): Promise<{ nodeId: string; reply: TReply }>;
  callSigner<TReply>(action: HsmAction, payload: object): Promise<{ nodeId: string; reply: TReply }>;
  members(): string[];
  isMember(nodeId: unknown): nodeId is string;
  callNode<TReply>(nodeId: string, action: HsmAction, payload: object): Promise<TReply>;
  callEach<TReply>(action: HsmAction, payload: object): Promise<TReply[]>;
}

class MembersRoute implements DomainRoute {
  /** Round robin: the member the next request starts with. */
  private next = 0;

  constructor(
    readonly domainId: string,
    private readonly domains: DomainService,
    private readonly health: NodeHealth,
    private readonly router: Pick<HsmRouter, 'callAnyNode'>,
  ) {}

  private members_(): readonly { nodeId: string }[] {
    return this.domains.current(this.domainId).members;
  }

  async call<TReply>(action: HsmAction, payload: object): Promise<TReply> {
    return (await this.callAny<TReply>(action, payload)).reply;
  }

  /** As call(), also naming the node that answered (for state a node keeps, such as an import key). */
  async callAny<TReply>(action: HsmAction, payload: object): Promise<{ nodeId: string; reply: TReply }> {
    const members = this.members_();
    const start = members.length === 0 ? 0 : this.next++ % members.length;
    return this.callInOrder(
      members.map((_, i) => members[(start + i) % members.length]!.nodeId),
      action,
      payload,
    );
  }

  /**
   * The domain's signer: documents a token signs (shred receipts, audit digests) and the public key that verifies
   * them go to the first member in the state's order that is up, so that one pinned key verifies them while it is;
   * another member (with its own key) signs only while it is not.
   */
  callSigner<TReply>(action: HsmAction, payload: object): Promise<{ nodeId: string; reply: TReply }> {
    return this.callInOrder(this.members(), action, payload);
  }

  /** Tries the nodes in `order`, those up first, moving on only on a failure of the node. */
  private async callInOrder<TReply>(
    order: string[],
    action: HsmAction,
    payload: object,
  ): Promise<{ nodeId: string; reply: TReply }> {
    if (order.length === 0) {
      throw new KmsError(ErrorCodes.HSM_UNAVAILABLE, `domain ${this.domainId} has no hsm node`);
    }
    const tried = [...order.filter((n) => this.health.isUp(n)), ...order.filter((n) => !this.health.isUp(n))];
    let last: unknown;
    for (const nodeId of tried) {
      try {
        return { nodeId, reply: await this.callNode<TReply>(nodeId, action, payload) };
      } catch (e) {
        if (!isNodeFailure(e)) throw e;
        this.health.holdBack(nodeId, e.message);
        last = e;
      }
    }
    throw last;
  }

  /** The members' node ids, in the state's order. */
  members(): string[] {
    return this.members_().map((m) => m.nodeId);
  }

  isMember(nodeId: unknown): nodeId is string {
    return typeof nodeId === 'string' && this.members_().some((m) => m.nodeId === nodeId);
  }

  /** One named node, no failover: a member of the domain only. */
  async callNode<TReply>(nodeId: string, action: HsmAction, payload: object): Promise<TReply> {
    if (!this.isMember(nodeId)) {
      throw new KmsError(
        ErrorCodes.HSM_UNAVAILABLE,
        `hsm node ${nodeId} is not a member of domain ${this.domainId}`,
      );
    }
    return this.router.callAnyNode<TReply>(nodeId, action, payload);
  }

  /** Every member, one after another (e.g. to drop cached copies of a key); the first failure throws. */
  async callEach<TReply>(action: HsmAction, payload: object): Promise<TReply[]> {
    const replies: TReply[] = [];
    for (const nodeId of this.members()) replies.push(await this.callNode<TReply>(nodeId, action, payload));
    return replies;
  }
}
