import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type EvaluatePolicyReply,
  type EvaluatePolicyRequest,
  KmsError,
} from '@symbolon/contracts';
import { type CompiledPolicy, MalformedPolicyError, compilePolicy, evaluate } from '@symbolon/policy-engine';

import { CompiledPolicies } from '../store/compiled-policies.js';
import { POLICY_CONFIG } from '../tokens.js';
import { conditionContext } from './condition-context.js';

export interface EvaluationConfig {
  SYMBOLON_POLICY_DECISION_TTL_MS: number;
}

/**
 * Decides one request against the key's policy, the caller's identity policies and the key's grants, in AWS's
 * order (libs/policy-engine). A decision that depends on nothing but who, what and which key carries a TTL the
 * caller may reuse it for; every change also sends a notice that drops reused decisions at once.
 */
@Injectable()
export class EvaluatePolicyUseCase {
  constructor(
    @Inject(CompiledPolicies) private readonly policies: CompiledPolicies,
    @Inject(POLICY_CONFIG) private readonly config: EvaluationConfig,
  ) {}

  async execute(req: EvaluatePolicyRequest): Promise<EvaluatePolicyReply> {
    const hasKey = req.keyArn !== '*';
    const keyPolicy = !hasKey
      ? undefined
      : req.candidateKeyPolicy !== undefined
        ? compileKeyPolicy(req.candidateKeyPolicy)
        : await this.policies.keyPolicy(req.keyArn, req.keyAccountId);
    const [identityPolicies, grants] = await Promise.all([
      this.policies.identity(req.principal),
      hasKey ? this.policies.grantsOf(req.keyArn) : Promise.resolve([]),
    ]);
    const decision = evaluate(
      { ...(keyPolicy ? { keyPolicy } : {}), identityPolicies, grants },
      {
        principalArn: req.principal,
        action: req.action,
        resource: req.keyArn,
        context: conditionContext(req, new Date()),
        ...(req.encryptionContext ? { encryptionContext: req.encryptionContext } : {}),
      },
    );
    return {
      effect: decision.effect,
      reason: decision.reason,
      ...(decision.conditional ? {} : { cacheTtlMs: this.config.SYMBOLON_POLICY_DECISION_TTL_MS }),
    };
  }
}

/** Compiles a key policy; a malformed one is MALFORMED_POLICY with the engine's message. */
export function compileKeyPolicy(text: string): CompiledPolicy {
  try {
    return compilePolicy(text, 'key');
  } catch (e) {
    if (e instanceof MalformedPolicyError) throw new KmsError(ErrorCodes.MALFORMED_POLICY, e.message);
    throw e;
  }
}
