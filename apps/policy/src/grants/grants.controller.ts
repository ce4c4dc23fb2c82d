import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateGrantRequest,
  ListGrantsRequest,
  ListRetirableGrantsRequest,
  RetireGrantRequest,
  RevokeGrantRequest,
  Subjects,
} from '@symbolon/contracts';

import { GrantsUseCase } from './grants.use-case.js';

@Controller()
export class GrantsController {
  constructor(@Inject(GrantsUseCase) private readonly grants: GrantsUseCase) {}

  @MessagePattern(Subjects.policy.createGrant)
  create(@Payload() req: CreateGrantRequest) {
    return this.grants.create(req);
  }

  @MessagePattern(Subjects.policy.listGrants)
  list(@Payload() req: ListGrantsRequest) {
    return this.grants.list(req);
  }

  @MessagePattern(Subjects.policy.listRetirableGrants)
  listRetirable(@Payload() req: ListRetirableGrantsRequest) {
    return this.grants.listRetirable(req);
  }

  @MessagePattern(Subjects.policy.retireGrant)
  retire(@Payload() req: RetireGrantRequest) {
    return this.grants.retire(req);
  }

  @MessagePattern(Subjects.policy.revokeGrant)
  revoke(@Payload() req: RevokeGrantRequest) {
    return this.grants.revoke(req);
  }
}
