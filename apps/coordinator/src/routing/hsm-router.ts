import { Inject, Injectable } from '@nestjs/common';
import { type ErrorCode, ErrorCodes, type HsmAction, KmsError, hsmSubject } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { DomainService } from '../domain/domain.service.js';
import { RPC } from '../tokens.js';

/** Failures that say the node, not the request, is the problem: worth trying the next node. */
const FAILOVER: ReadonlySet<ErrorCode> = new Set([ErrorCodes.HSM_UNAVAILABLE, ErrorCodes.DEPENDENCY_TIMEOUT]);

/**
 * Sends a key operation to an hsm node of the domain: round robin, and on a retryable failure (timeout, token
 * unavailable) the next node, each node at most once per request.
 */
@Injectable()
export class HsmRouter {
  private next = 0;

  constructor(
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(DomainService) private readonly domain: DomainService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async call<TReply>(action: HsmAction, payload: object): Promise<TReply> {
    const members = this.domain.current().members;
    if (members.length === 0) throw new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'the domain has no hsm node');
    const start = this.next++ % members.length;
    let last: unknown;
    for (let i = 0; i < members.length; i++) {
      const node = members[(start + i) % members.length]!;
      try {
        return await this.rpc.send<TReply>(
          hsmSubject(node.nodeId, action),
          payload,
          this.config.SYMBOLON_HSM_TIMEOUT_MS,
        );
      } catch (e) {
        if (!(e instanceof KmsError) || !FAILOVER.has(e.code)) throw e;
        last = e;
      }
    }
    throw last;
  }
}
