import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AuditChainRequest,
  AuditQueryRequest,
  Subjects,
  UsageRequest,
  WornVersionsRequest,
} from '@symbolon/contracts';

import { QueryRecordsUseCase } from './use-cases/query-records.use-case.js';

@Controller()
export class RecordsController {
  constructor(@Inject(QueryRecordsUseCase) private readonly query: QueryRecordsUseCase) {}

  @MessagePattern(Subjects.audit.query)
  records(@Payload() req: AuditQueryRequest) {
    return this.query.records(req);
  }

  @MessagePattern(Subjects.audit.worn)
  worn(@Payload() req: WornVersionsRequest) {
    return this.query.worn(req);
  }

  @MessagePattern(Subjects.audit.usage)
  usage(@Payload() req: UsageRequest) {
    return this.query.usage(req);
  }

  @MessagePattern(Subjects.audit.chain)
  chain(@Payload() req: AuditChainRequest) {
    return this.query.chain(req);
  }
}
