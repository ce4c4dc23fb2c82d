import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type EvaluatePolicyReply, EvaluatePolicyRequest, Subjects } from '@symbolon/contracts';

import { EvaluatePolicyUseCase } from './evaluate-policy.use-case.js';

@Controller()
export class EvaluationController {
  constructor(@Inject(EvaluatePolicyUseCase) private readonly evaluate: EvaluatePolicyUseCase) {}

  @MessagePattern(Subjects.policy.evaluate)
  handle(@Payload() req: EvaluatePolicyRequest): Promise<EvaluatePolicyReply> {
    return this.evaluate.execute(req);
  }
}
