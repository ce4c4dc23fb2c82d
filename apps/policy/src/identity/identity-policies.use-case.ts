import { Inject, Injectable } from '@nestjs/common';
import {
  type DeleteIdentityPolicyRequest,
  ErrorCodes,
  type GetIdentityPolicyReply,
  type GetIdentityPolicyRequest,
  KmsError,
  type ListIdentityPoliciesReply,
  type ListIdentityPoliciesRequest,
  type PutIdentityPolicyRequest,
} from '@symbolon/contracts';
import { MalformedPolicyError, accountOfPrincipal, compilePolicy } from '@symbolon/policy-engine';

import { PolicyChanges } from '../store/policy-changes.js';
import { PolicyRepository } from '../store/policy.repository.js';

/** Inline identity policies of principals (the gateway's admin API checks the principal exists). */
@Injectable()
export class IdentityPoliciesUseCase {
  constructor(
    @Inject(PolicyRepository) private readonly repo: PolicyRepository,
    @Inject(PolicyChanges) private readonly changes: PolicyChanges,
  ) {}

  async put(req: PutIdentityPolicyRequest): Promise<Record<string, never>> {
    try {
      compilePolicy(req.document, 'identity');
    } catch (e) {
      if (e instanceof MalformedPolicyError) throw new KmsError(ErrorCodes.MALFORMED_POLICY, e.message);
      throw e;
    }
    const account = accountOfPrincipal(req.principalArn);
    if (account === undefined) throw new KmsError(ErrorCodes.VALIDATION, 'principalArn is not an IAM ARN');
    await this.repo.putIdentityPolicy(req.principalArn, account, req.policyName, req.document);
    await this.changes.changed({ principalArn: req.principalArn });
    return {};
  }

  async get(req: GetIdentityPolicyRequest): Promise<GetIdentityPolicyReply> {
    const found = (await this.repo.identityPolicies(req.principalArn)).find((p) => p.name === req.policyName);
    if (!found) {
      throw new KmsError(
        ErrorCodes.NOT_FOUND,
        `The user policy with name ${req.policyName} cannot be found.`,
      );
    }
    return { document: found.document };
  }

  async list(req: ListIdentityPoliciesRequest): Promise<ListIdentityPoliciesReply> {
    return { policyNames: (await this.repo.identityPolicies(req.principalArn)).map((p) => p.name) };
  }

  async delete(req: DeleteIdentityPolicyRequest): Promise<Record<string, never>> {
    const deleted = await this.repo.deleteIdentityPolicies(req.principalArn, req.policyName);
    if (deleted === 0 && req.policyName !== undefined) {
      throw new KmsError(
        ErrorCodes.NOT_FOUND,
        `The user policy with name ${req.policyName} cannot be found.`,
      );
    }
    await this.changes.changed({ principalArn: req.principalArn });
    return {};
  }
}
