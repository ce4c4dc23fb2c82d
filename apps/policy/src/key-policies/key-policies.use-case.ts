import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type ForgetKeyPoliciesRequest,
  type GetKeyPolicyReply,
  type GetKeyPolicyRequest,
  KmsError,
  type PutKeyPolicyRequest,
  tenantScope,
} from '@symbolon/contracts';

import { EvaluatePolicyUseCase, compileKeyPolicy } from '../evaluation/evaluate-policy.use-case.js';
import { PolicyChanges } from '../store/policy-changes.js';
import { PolicyRepository } from '../store/policy.repository.js';

export const LOCKOUT_MESSAGE =
  'The new key policy will not allow you to update the key policy in the future.';

/** PutKeyPolicy / GetKeyPolicy, and forgetting a deleted key's policy and grants. */
@Injectable()
export class KeyPoliciesUseCase {
  constructor(
    @Inject(PolicyRepository) private readonly repo: PolicyRepository,
    @Inject(PolicyChanges) private readonly changes: PolicyChanges,
    @Inject(EvaluatePolicyUseCase) private readonly evaluation: EvaluatePolicyUseCase,
  ) {}

  /**
   * Validates the document, then (unless bypassed) the lockout safety check AWS makes: the new policy must still
   * let the caller, with its identity policies, call PutKeyPolicy on this key.
   */
  async put(req: PutKeyPolicyRequest): Promise<Record<string, never>> {
    compileKeyPolicy(req.policy);
    if (!req.bypassLockoutCheck) {
      const { effect } = await this.evaluation.execute({
        ...tenantScope(req),
        action: 'kms:PutKeyPolicy',
        keyArn: req.keyArn,
        keyAccountId: req.keyAccountId,
        candidateKeyPolicy: req.policy,
      });
      if (effect !== 'ALLOW') throw new KmsError(ErrorCodes.MALFORMED_POLICY, LOCKOUT_MESSAGE);
    }
    await this.repo.putKeyPolicy(req.keyArn, req.keyAccountId, req.policy);
    await this.changes.changed({ keyArn: req.keyArn });
    return {};
  }

  async get(req: GetKeyPolicyRequest): Promise<GetKeyPolicyReply> {
    return { policy: await this.repo.keyPolicy(req.keyArn, req.keyAccountId) };
  }

  async forget(req: ForgetKeyPoliciesRequest): Promise<Record<string, never>> {
    await this.repo.forgetKey(req.keyArn);
    await this.changes.changed({ keyArn: req.keyArn });
    return {};
  }
}
