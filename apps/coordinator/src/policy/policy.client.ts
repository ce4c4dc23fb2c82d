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
  tenantScope,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import type { KeyEntity } from '../keys/key.entity.js';
import { RPC } from '../tokens.js';

const MAX_CACHED_DECISIONS = 10_000;
/** kms:EncryptionAlgorithm of every operation on a symmetric key. */
export const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

/** What a request tells the condition keys beyond who asks (EvaluatePolicyRequest's optional fields). */
export interface PolicyFacts {
  encryptionContext?: Record<string, string>;
  encryptionAlgorithm?: string;
  grantOperations?: string[];
  reEncryptOnSameKey?: boolean;
  requestTags?: Record<string, string>;
  resourceTags?: Readonly<Record<string, string>>;
}

/** Asks the policy service; a deny becomes ACCESS_DENIED carrying the decision for the audit record. */
@Injectable()
export class PolicyClient {
  private readonly cache = new Map<string, { decision: DecisionDto; expires: number }>();

  constructor(@Inject(RPC) private readonly rpc: RpcClient) {}

  /** May the caller perform `action` on `key`? */
  authorize(
    req: TenantScopedRequest,
    action: KmsAction,
    key: KeyEntity,
    facts: PolicyFacts = {},
  ): Promise<DecisionDto> {
    return this.ask(req, action, key.arn, key.tenantId, facts);
  }

  /** Actions without a key (CreateKey, ListKeys, ListAliases, GenerateRandom, ...): identity policies decide. */
  authorizeAccount(
    req: TenantScopedRequest,
    action: KmsAction,
    facts: PolicyFacts = {},
  ): Promise<DecisionDto> {
    return this.ask(req, action, '*', req.tenantId, facts);
  }

  /** A policy or grant changed somewhere: no decision taken before may be reused. */
  clear(): void {
    this.cache.clear();
  }

  private async ask(
    req: TenantScopedRequest,
    action: KmsAction,
    keyArn: string,
    keyAccountId: string,
    facts: PolicyFacts,
  ): Promise<DecisionDto> {
    const request: EvaluatePolicyRequest = {
      ...tenantScope(req),
      action,
      keyArn,
      keyAccountId,
      ...withoutUndefined(facts),
    };
    const decision = await this.decide(request);
    if (decision.effect !== 'ALLOW') throw accessDenied(req.principal, action, keyArn, decision);
    return decision;
  }

  /**
   * A decision the policy service marked cacheable (no condition, variable or grant constraint in play) is reused
   * for the same principal, action and key until it expires or a change notice clears it (ADR 0001, 0009).
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

function withoutUndefined(facts: PolicyFacts): Partial<EvaluatePolicyRequest> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) if (v !== undefined) out[k] = v;
  return out as Partial<EvaluatePolicyRequest>;
}

export function accessDenied(
  principal: string,
  action: KmsAction,
  resource: string,
  decision: DecisionDto,
): KmsError {
  const because = decision.reason.startsWith('explicit deny in key policy')
    ? 'with an explicit deny in a resource-based policy'
    : decision.reason.startsWith('explicit deny in identity policy')
      ? 'with an explicit deny in an identity-based policy'
      : `because no resource-based policy allows the ${action} action`;
  return new KmsError(
    ErrorCodes.ACCESS_DENIED,
    `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${because}`,
    { effect: decision.effect, reason: decision.reason },
  );
}
