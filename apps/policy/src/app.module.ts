import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type PolicyChangedNotice, Subjects } from '@symbolon/contracts';
import { HealthRegistry, NoticeBus, ObservabilityModule, openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import type { PolicyConfig } from './config.js';
import { EvaluatePolicyUseCase } from './evaluation/evaluate-policy.use-case.js';
import { EvaluationController } from './evaluation/evaluation.controller.js';
import { GrantsController } from './grants/grants.controller.js';
import { GrantsUseCase } from './grants/grants.use-case.js';
import { IdentityPoliciesController } from './identity/identity-policies.controller.js';
import { IdentityPoliciesUseCase } from './identity/identity-policies.use-case.js';
import { KeyPoliciesController } from './key-policies/key-policies.controller.js';
import { KeyPoliciesUseCase } from './key-policies/key-policies.use-case.js';
import { Policies1796000000000 } from './migrations/1796000000000-policies.js';
import { CompiledPolicies } from './store/compiled-policies.js';
import { PolicyChanges } from './store/policy-changes.js';
import { GrantEntity, IdentityPolicyEntity, KeyPolicyEntity } from './store/policy.entities.js';
import { PolicyRepository } from './store/policy.repository.js';
import { NOTICES, POLICY_CONFIG, POLICY_DATA_SOURCE } from './tokens.js';

export const policyEntities = [KeyPolicyEntity, IdentityPolicyEntity, GrantEntity];
export const policyMigrations = [Policies1796000000000];

@Module({})
export class AppModule {
  static forConfig(config: PolicyConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [
        EvaluationController,
        KeyPoliciesController,
        IdentityPoliciesController,
        GrantsController,
      ],
      providers: [
        { provide: POLICY_CONFIG, useValue: config },
        {
          provide: POLICY_DATA_SOURCE,
          inject: [HealthRegistry],
          useFactory: async (health: HealthRegistry) => {
            const ds = await openDataSource(
              {
                type: config.SYMBOLON_DB_TYPE as 'sqlite' | 'postgres',
                path: config.SYMBOLON_DB_PATH,
                url: config.SYMBOLON_DB_URL,
                schema: 'policy',
                migrate: config.SYMBOLON_DB_MIGRATE,
              },
              policyEntities,
              policyMigrations,
            );
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            return ds;
          },
        },
        PolicyRepository,
        CompiledPolicies,
        {
          provide: NOTICES,
          inject: [CompiledPolicies],
          useFactory: async (compiled: CompiledPolicies) => {
            const bus = await NoticeBus.open(config.SYMBOLON_NATS_URL, 'policy-notices', () =>
              compiled.clear(),
            );
            bus.subscribe<PolicyChangedNotice>(Subjects.notices.policyChanged, (n) => compiled.invalidate(n));
            return bus;
          },
        },
        PolicyChanges,
        EvaluatePolicyUseCase,
        KeyPoliciesUseCase,
        IdentityPoliciesUseCase,
        GrantsUseCase,
        {
          provide: 'PolicyLifecycle',
          inject: [POLICY_DATA_SOURCE, NOTICES],
          useFactory: (ds: DataSource, bus: NoticeBus): OnApplicationShutdown => ({
            onApplicationShutdown: async () => {
              await bus.close();
              await ds.destroy();
            },
          }),
        },
      ],
    };
  }
}
