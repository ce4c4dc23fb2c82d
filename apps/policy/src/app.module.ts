import { Module } from '@nestjs/common';
import { ObservabilityModule } from '@symbolon/platform';

import { EvaluationController } from './evaluation/evaluation.controller.js';
import { EvaluatePolicyUseCase } from './evaluation/use-cases/evaluate-policy/evaluate-policy.use-case.js';

@Module({
  imports: [ObservabilityModule],
  controllers: [EvaluationController],
  providers: [EvaluatePolicyUseCase],
})
export class AppModule {}
