import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ForgetKeyPoliciesRequest,
  GetKeyPolicyRequest,
  PutKeyPolicyRequest,
  Subjects,
} from '@symbolon/contracts';

import { KeyPoliciesUseCase } from './key-policies.use-case.js';

@Controller()
export class KeyPoliciesController {
  constructor(@Inject(KeyPoliciesUseCase) private readonly keyPolicies: KeyPoliciesUseCase) {}

  @MessagePattern(Subjects.policy.putKeyPolicy)
  put(@Payload() req: PutKeyPolicyRequest) {
    return this.keyPolicies.put(req);
  }

  @MessagePattern(Subjects.policy.getKeyPolicy)
  get(@Payload() req: GetKeyPolicyRequest) {
    return this.keyPolicies.get(req);
  }

  @MessagePattern(Subjects.policy.forgetKey)
  forget(@Payload() req: ForgetKeyPoliciesRequest) {
    return this.keyPolicies.forget(req);
  }
}
