import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateGrantKeyRequest,
  GetKeyPolicyKeyRequest,
  ListGrantsKeyRequest,
  ListKeyPoliciesKeyRequest,
  ListRetirableGrantsRequest,
  PutKeyPolicyKeyRequest,
  RetireGrantKeyRequest,
  RevokeGrantKeyRequest,
  Subjects,
} from '@symbolon/contracts';

import { GrantsUseCase } from './grants.use-case.js';
import { KeyPoliciesUseCase } from './key-policies.use-case.js';

@Controller()
export class KeyPoliciesController {
  constructor(
    @Inject(KeyPoliciesUseCase) private readonly keyPolicies: KeyPoliciesUseCase,
    @Inject(GrantsUseCase) private readonly grants: GrantsUseCase,
  ) {}

  @MessagePattern(Subjects.keys.putKeyPolicy)
  putKeyPolicy(@Payload() req: PutKeyPolicyKeyRequest) {
    return this.keyPolicies.put(req);
  }

  @MessagePattern(Subjects.keys.getKeyPolicy)
  getKeyPolicy(@Payload() req: GetKeyPolicyKeyRequest) {
    return this.keyPolicies.get(req);
  }

  @MessagePattern(Subjects.keys.listKeyPolicies)
  listKeyPolicies(@Payload() req: ListKeyPoliciesKeyRequest) {
    return this.keyPolicies.list(req);
  }

  @MessagePattern(Subjects.keys.createGrant)
  createGrant(@Payload() req: CreateGrantKeyRequest) {
    return this.grants.create(req);
  }

  @MessagePattern(Subjects.keys.listGrants)
  listGrants(@Payload() req: ListGrantsKeyRequest) {
    return this.grants.list(req);
  }

  @MessagePattern(Subjects.keys.listRetirableGrants)
  listRetirableGrants(@Payload() req: ListRetirableGrantsRequest) {
    return this.grants.listRetirable(req);
  }

  @MessagePattern(Subjects.keys.retireGrant)
  retireGrant(@Payload() req: RetireGrantKeyRequest) {
    return this.grants.retire(req);
  }

  @MessagePattern(Subjects.keys.revokeGrant)
  revokeGrant(@Payload() req: RevokeGrantKeyRequest) {
    return this.grants.revoke(req);
  }
}
