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
 * Sends a key operation to an hsm node of the domain: round robin over the members that are up, and on a retryable
 * failure (timeout, no responder, token unavailable) the next node, each node at most once per request. A node that
 * failed, or whose health check says it is not ready (no key of the active generation yet), is held back until a
 * health check finds it ready again; it is still tried last, so a request fails only when no member can serve it.
 */
@Injectable()
export class HsmRouter {
  private next = 0;

  constructor(
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(DomainService) private readonly domain: DomainService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(NodeHealth) private readonly health: NodeHealth,
  ) {}

  async call<TReply>(action: HsmAction, payload: object): Promise<TReply> {
    return (await this.callAny<TReply>(action, payload)).reply;
  }

  /** As call(), also naming the node that answered (for state a node keeps, such as an import key). */
  async callAny<TReply>(action: HsmAction, payload: object): Promise<{ nodeId: string; reply: TReply }> {
    const members = this.domain.current().members;
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
    return this.callInOrder(
      this.domain.current().members.map((m) => m.nodeId),
      action,
      payload,
    );
  }

  /** Tries the nodes in `order`, those up first, moving on only on a failure of the node. */
  private async callInOrder<TReply>(
    order: string[],
    action: HsmAction,
    payload: object,
  ): Promise<{ nodeId: string; reply: TReply }> {
    if (order.length === 0) throw new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'the domain has no hsm node');
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
    return this.domain.current().members.map((m) => m.nodeId);
  }

  isMember(nodeId: unknown): nodeId is string {
    return typeof nodeId === 'string' && this.domain.current().members.some((m) => m.nodeId === nodeId);
  }

  /** One named node, no failover: a member of the domain only. */
  callNode<TReply>(nodeId: string, action: HsmAction, payload: object): Promise<TReply> {
    if (!this.domain.current().members.some((m) => m.nodeId === nodeId)) {
      throw new KmsError(ErrorCodes.HSM_UNAVAILABLE, `hsm node ${nodeId} is not a member of the domain`);
    }
    return this.callAnyNode<TReply>(nodeId, action, payload);
  }

  /** Any hsm node, member or not (a node asked for its identity, or joining the domain). */
  callAnyNode<TReply>(nodeId: string, action: HsmAction, payload: object): Promise<TReply> {
    return this.rpc.send<TReply>(hsmSubject(nodeId, action), payload, this.config.SYMBOLON_HSM_TIMEOUT_MS);
  }

  /** Every node of the domain, one after another (e.g. to drop cached copies of a key); the first failure throws. */
  async callEach<TReply>(action: HsmAction, payload: object): Promise<TReply[]> {
    const replies: TReply[] = [];
    for (const node of this.domain.current().members) {
      replies.push(await this.callNode<TReply>(node.nodeId, action, payload));
    }
    return replies;
  }
}
