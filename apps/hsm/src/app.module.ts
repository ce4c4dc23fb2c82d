import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Hsm } from '@symbolon/pkcs11';
import { HealthRegistry, ObservabilityModule } from '@symbolon/platform';

import type { DomainStateStore } from './domain/domain-state.store.js';
import { DOMAIN_STORE } from './domain/domain.tokens.js';
import { DomainUseCase } from './domain/domain.use-case.js';
import { HSM, NODE_SETTINGS, type NodeSettings } from './token/hsm.tokens.js';
import { createTokenController } from './token/token.controller.js';
import { CustodyUseCase } from './token/use-cases/custody.use-case.js';
import { EvidenceUseCase } from './token/use-cases/evidence.use-case.js';
import { TokenOperationsUseCase } from './token/use-cases/token-operations.use-case.js';

@Module({})
export class AppModule {
  /** One module per node: the token is opened by the caller (main.ts, or a test with FakeHsm). */
  static forNode(node: NodeSettings, hsm: Hsm, domainStore: DomainStateStore): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [createTokenController(node.nodeId)],
      providers: [
        { provide: HSM, useValue: hsm },
        { provide: NODE_SETTINGS, useValue: node },
        { provide: DOMAIN_STORE, useValue: domainStore },
        DomainUseCase,
        TokenOperationsUseCase,
        EvidenceUseCase,
        CustodyUseCase,
        {
          provide: 'HsmLifecycle',
          inject: [HSM, HealthRegistry],
          useFactory: (h: Hsm, health: HealthRegistry): OnApplicationShutdown => {
            health.register('token', () => h.health().ok);
            return { onApplicationShutdown: () => h.close() };
          },
        },
      ],
    };
  }
}
