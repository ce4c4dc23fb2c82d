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

/** Asks the policy service; a deny becomes ACCESS_DENIED carrying the decision for the audit record. */
@Injectable()
export class PolicyClient {
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
    const decision = await this.rpc.send<EvaluatePolicyReply>(Subjects.policy.evaluate, request);
    if (decision.effect !== 'ALLOW') throw accessDenied(req.principal, action, key.arn, decision);
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
