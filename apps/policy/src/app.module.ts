import { type DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@symbolon/platform';

import { EvaluationController } from './evaluation/evaluation.controller.js';
import {
  DECISION_TTL_MS,
  EvaluatePolicyUseCase,
} from './evaluation/use-cases/evaluate-policy/evaluate-policy.use-case.js';

@Module({})
export class AppModule {
  static forConfig(config: { SYMBOLON_POLICY_DECISION_TTL_MS: number }): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [EvaluationController],
      providers: [
        { provide: DECISION_TTL_MS, useValue: config.SYMBOLON_POLICY_DECISION_TTL_MS },
        EvaluatePolicyUseCase,
      ],
    };
  }
}
