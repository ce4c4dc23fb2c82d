import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, ObservabilityModule, RpcClient, openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from './config.js';
import { DomainStateEntity } from './domain/domain.entity.js';
import { DomainService } from './domain/domain.service.js';
import { KeyResolver } from './keys/key-resolver.js';
import { KeyEntity, KeyVersionEntity } from './keys/key.entity.js';
import { KeyRepository } from './keys/key.repository.js';
import { KeysController } from './keys/keys.controller.js';
import { CreateKeyUseCase } from './keys/use-cases/create-key/create-key.use-case.js';
import { DecryptUseCase } from './keys/use-cases/decrypt/decrypt.use-case.js';
import { DescribeKeyUseCase } from './keys/use-cases/describe-key/describe-key.use-case.js';
import { EncryptUseCase } from './keys/use-cases/encrypt/encrypt.use-case.js';
import { GenerateDataKeyUseCase } from './keys/use-cases/generate-data-key/generate-data-key.use-case.js';
import { GenerateRandomUseCase } from './keys/use-cases/generate-random/generate-random.use-case.js';
import { ListKeysUseCase } from './keys/use-cases/list-keys/list-keys.use-case.js';
import { Initial1764374400000 } from './migrations/1764374400000-initial.js';
import { PolicyClient } from './policy/policy.client.js';
import { HsmRouter } from './routing/hsm-router.js';
import { DATA_SOURCE, RPC } from './tokens.js';

export const coordinatorEntities = [KeyEntity, KeyVersionEntity, DomainStateEntity];
export const coordinatorMigrations = [Initial1764374400000];

@Module({})
export class AppModule {
  static forConfig(config: CoordinatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [KeysController],
      providers: [
        { provide: COORDINATOR_CONFIG, useValue: config },
        {
          provide: DATA_SOURCE,
          useFactory: () =>
            openDataSource(
              {
                type: config.SYMBOLON_DB_TYPE as 'sqlite' | 'postgres',
                path: config.SYMBOLON_DB_PATH,
                url: config.SYMBOLON_DB_URL,
                schema: 'coordinator',
                migrate: config.SYMBOLON_DB_MIGRATE,
              },
              coordinatorEntities,
              coordinatorMigrations,
            ),
        },
        {
          provide: RPC,
          useFactory: async () => {
            const rpc = new RpcClient(
              config.SYMBOLON_NATS_URL,
              'coordinator-client',
              config.SYMBOLON_RPC_TIMEOUT_MS,
            );
            await rpc.connect();
            return rpc;
          },
        },
        {
          provide: KeyRepository,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new KeyRepository(ds),
        },
        {
          provide: 'CoordinatorLifecycle',
          inject: [DATA_SOURCE, RPC, HealthRegistry],
          useFactory: (ds: DataSource, rpc: RpcClient, health: HealthRegistry): OnApplicationShutdown => {
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            return {
              onApplicationShutdown: async () => {
                await rpc.close();
                await ds.destroy();
              },
            };
          },
        },
        DomainService,
        PolicyClient,
        HsmRouter,
        KeyResolver,
        CreateKeyUseCase,
        DescribeKeyUseCase,
        ListKeysUseCase,
        EncryptUseCase,
        DecryptUseCase,
        GenerateDataKeyUseCase,
        GenerateRandomUseCase,
      ],
    };
  }
}
