import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CancelProposalRequest,
  DomainStatusRequest,
  NodeIdentityRequest,
  OpenProposalRequest,
  PrepareRotationRequest,
  Subjects,
  SubmitProposalRequest,
} from '@symbolon/contracts';

import { DomainChangesUseCase } from './domain-changes.use-case.js';

/** The operators' tooling (NATS role `operator`): domain status, and proposals relayed to every member. */
@Controller()
export class DomainController {
  constructor(@Inject(DomainChangesUseCase) private readonly changes: DomainChangesUseCase) {}

  @MessagePattern(Subjects.domain.status)
  status(@Payload() req: DomainStatusRequest) {
    return this.changes.status(req);
  }

  @MessagePattern(Subjects.domain.open)
  open(@Payload() req: OpenProposalRequest) {
    return this.changes.open(req);
  }

  @MessagePattern(Subjects.domain.submit)
  submit(@Payload() req: SubmitProposalRequest) {
    return this.changes.submit(req);
  }

  @MessagePattern(Subjects.domain.prepareRotation)
  prepareRotation(@Payload() req: PrepareRotationRequest) {
    return this.changes.prepareRotation(req);
  }

  @MessagePattern(Subjects.domain.nodeIdentity)
  nodeIdentity(@Payload() req: NodeIdentityRequest) {
    return this.changes.nodeIdentity(req);
  }

  @MessagePattern(Subjects.domain.cancel)
  cancel(@Payload() req: CancelProposalRequest) {
    return this.changes.cancel(req);
  }
}
