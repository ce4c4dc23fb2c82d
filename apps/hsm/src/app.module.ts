import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Hsm } from '@symbolon/pkcs11';
import { HealthRegistry, ObservabilityModule } from '@symbolon/platform';

import { HSM, NODE_SETTINGS, type NodeSettings } from './token/hsm.tokens.js';
import { createTokenController } from './token/token.controller.js';
import { CustodyUseCase } from './token/use-cases/custody.use-case.js';
import { EvidenceUseCase } from './token/use-cases/evidence.use-case.js';
import { TokenOperationsUseCase } from './token/use-cases/token-operations.use-case.js';

@Module({})
export class AppModule {
  /** One module per node: the token is opened by the caller (main.ts, or a test with FakeHsm). */
  static forNode(node: NodeSettings, hsm: Hsm): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [createTokenController(node.nodeId)],
      providers: [
        { provide: HSM, useValue: hsm },
        { provide: NODE_SETTINGS, useValue: node },
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
