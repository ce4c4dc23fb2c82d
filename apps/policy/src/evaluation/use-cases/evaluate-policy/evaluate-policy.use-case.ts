import { Inject, Injectable } from '@nestjs/common';
import type { EvaluatePolicyReply, EvaluatePolicyRequest } from '@symbolon/contracts';

/**
 * The default key policy AWS gives a new key: the key's own account (its root, hence any principal of the account
 * that the account allows) may perform every kms action. Everyone else is denied by default. Policy documents,
 * grants and conditions come with the policy language.
 */
export const DECISION_TTL_MS = Symbol('DecisionTtlMs');

@Injectable()
export class EvaluatePolicyUseCase {
  /** Decisions of the default key policy depend on no condition, so callers may cache them this long. */
  constructor(@Inject(DECISION_TTL_MS) private readonly ttlMs: number) {}

  execute(req: EvaluatePolicyRequest): EvaluatePolicyReply {
    if (req.tenantId === req.keyAccountId && principalAccount(req.principal) === req.keyAccountId) {
      return {
        effect: 'ALLOW',
        reason: `default key policy: principals of account ${req.keyAccountId} may perform kms:* on ${req.keyArn}`,
        cacheTtlMs: this.ttlMs,
      };
    }
    return {
      effect: 'DENY',
      reason: `implicit deny: no policy statement allows ${req.principal} to perform ${req.action} on ${req.keyArn}`,
      cacheTtlMs: this.ttlMs,
    };
  }
}

/** The account of an IAM principal ARN (arn:aws:iam::<account>:...), or undefined when it is not one. */
export function principalAccount(principalArn: string): string | undefined {
  const m = /^arn:aws:iam::(\d{12}):(root|user\/.+|role\/.+)$/.exec(principalArn);
  return m?.[1];
}
