import { Inject, Injectable } from '@nestjs/common';
import {
  type DecisionDto,
  ErrorCodes,
  type EvaluatePolicyReply,
  type EvaluatePolicyRequest,
  type KmsAction,
  KmsError,
  Subjects,
  type TenantScopedRequest,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import type { KeyEntity } from '../keys/key.entity.js';
import { RPC } from '../tokens.js';

const MAX_CACHED_DECISIONS = 10_000;

/** Asks the policy service; a deny becomes ACCESS_DENIED carrying the decision for the audit record. */
@Injectable()
export class PolicyClient {
  private readonly cache = new Map<string, { decision: DecisionDto; expires: number }>();

  constructor(@Inject(RPC) private readonly rpc: RpcClient) {}

  async authorize(
    req: TenantScopedRequest,
    action: KmsAction,
    key: KeyEntity,
    encryptionContext?: Record<string, string>,
  ): Promise<DecisionDto> {
    const request: EvaluatePolicyRequest = {
      requestId: req.requestId,
      tenantId: req.tenantId,
      principal: req.principal,
      action,
      keyArn: key.arn,
      keyAccountId: key.tenantId,
      ...(encryptionContext ? { encryptionContext } : {}),
    };
    const decision = await this.decide(request);
    if (decision.effect !== 'ALLOW') throw accessDenied(req.principal, action, key.arn, decision);
    return decision;
  }

  /**
   * A decision the policy service marked cacheable (it depends on no condition) is reused for the same principal,
   * action and key until it expires: the policy hop leaves the hot path (ADR 0001).
   */
  private async decide(request: EvaluatePolicyRequest): Promise<DecisionDto> {
    const cacheKey = `${request.principal}\n${request.action}\n${request.keyArn}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.decision;
    const reply = await this.rpc.send<EvaluatePolicyReply>(Subjects.policy.evaluate, request);
    const decision: DecisionDto = { effect: reply.effect, reason: reply.reason };
    if (reply.cacheTtlMs && reply.cacheTtlMs > 0) {
      if (this.cache.size >= MAX_CACHED_DECISIONS)
        this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(cacheKey, { decision, expires: Date.now() + reply.cacheTtlMs });
    }
    return decision;
  }
}

export function accessDenied(
  principal: string,
  action: KmsAction,
  resource: string,
  decision: DecisionDto,
): KmsError {
  return new KmsError(
    ErrorCodes.ACCESS_DENIED,
    `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`,
    { effect: decision.effect, reason: decision.reason },
  );
}
