import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  DeleteIdentityPolicyRequest,
  GetIdentityPolicyRequest,
  ListIdentityPoliciesRequest,
  PutIdentityPolicyRequest,
  Subjects,
} from '@symbolon/contracts';

import { IdentityPoliciesUseCase } from './identity-policies.use-case.js';

@Controller()
export class IdentityPoliciesController {
  constructor(@Inject(IdentityPoliciesUseCase) private readonly identity: IdentityPoliciesUseCase) {}

  @MessagePattern(Subjects.policy.putIdentityPolicy)
  put(@Payload() req: PutIdentityPolicyRequest) {
    return this.identity.put(req);
  }

  @MessagePattern(Subjects.policy.getIdentityPolicy)
  get(@Payload() req: GetIdentityPolicyRequest) {
    return this.identity.get(req);
  }

  @MessagePattern(Subjects.policy.listIdentityPolicies)
  list(@Payload() req: ListIdentityPoliciesRequest) {
    return this.identity.list(req);
  }

  @MessagePattern(Subjects.policy.deleteIdentityPolicy)
  delete(@Payload() req: DeleteIdentityPolicyRequest) {
    return this.identity.delete(req);
  }
}
