import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, ObservabilityModule, RpcClient, logger, openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { AuditPublisher } from '@symbolon/platform';
import { S3SigningKeyController } from './auth/s3-signing-key.controller.js';
import { SigV4Verifier } from './auth/sigv4/index.js';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_RPC, type GatewayConfig } from './config.js';
import { KmsRequestHandler } from './kms/kms-request.handler.js';
import { RateLimiter } from './kms/throttle/rate-limiter.js';
import { KmsController } from './kms/kms.controller.js';
import { Initial1764374400002 } from './migrations/1764374400002-initial.js';
import { TenancyUsers1764460800010 } from './migrations/1764460800010-tenancy-users.js';
import { IdentitySeeded1796000000100 } from './migrations/1796000000100-identity-seeded.js';
import { UserTags1796000000200 } from './migrations/1796000000200-user-tags.js';
import {
  AccessKeyChanges,
  AccessKeyRepository,
  DEFAULT_ACCESS_KEY_CACHE_LIMITS,
} from './tenants/access-key.repository.js';
import { AccessKeyEntity, AccountEntity } from './tenants/account.entity.js';
import { bootstrapAdmin } from './tenants/bootstrap-admin.js';
import { RpcSecretWrapper, retryAtBoot, wrapPlaintextSecrets } from './tenants/secret-wrapper.js';
import { IdentityPolicies } from './tenants/identity-policies.js';
import { TenancyService } from './tenants/tenancy.service.js';
import { UserEntity } from './tenants/user.entity.js';

export const gatewayEntities = [AccountEntity, AccessKeyEntity, UserEntity];
export const gatewayMigrations = [
  Initial1764374400002,
  TenancyUsers1764460800010,
  IdentitySeeded1796000000100,
  UserTags1796000000200,
];

@Module({})
export class AppModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    const accessKeyChanges = new AccessKeyChanges();
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [KmsController, S3SigningKeyController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: GATEWAY_DATA_SOURCE,
          useFactory: () =>
            openDataSource(
              {
                type: config.SYMBOLON_DB_TYPE as 'sqlite' | 'postgres',
                path: config.SYMBOLON_DB_PATH,
                url: config.SYMBOLON_DB_URL,
                schema: 'gateway',
                migrate: config.SYMBOLON_DB_MIGRATE,
              },
              gatewayEntities,
              gatewayMigrations,
            ),
        },
        {
          provide: AccessKeyRepository,
          inject: [GATEWAY_DATA_SOURCE, GATEWAY_RPC],
          useFactory: async (ds: DataSource, rpc: RpcClient) => {
            const secrets = new RpcSecretWrapper(rpc);
            const repo = new AccessKeyRepository(
              ds,
              config.SYMBOLON_ACCESS_KEY_CACHE_TTL_MS,
              DEFAULT_ACCESS_KEY_CACHE_LIMITS,
              { changes: accessKeyChanges, secrets },
            );
            // Both need the coordinator (secrets are stored only wrapped), which starts alongside the gateway.
            await retryAtBoot('wrap stored access-key secrets', () => wrapPlaintextSecrets(ds, secrets));
            await retryAtBoot('bootstrap the admin account', () =>
              bootstrapAdmin(repo, config.SYMBOLON_REGION, config.SYMBOLON_CREDENTIALS_FILE),
            );
            const identity = new IdentityPolicies(rpc);
            await retryAtBoot('attach default identity policies', () => identity.seed(ds));
            // Users whose default policy could not be attached when they were made get it within a minute.
            setInterval(() => {
              identity.seed(ds).catch((e: unknown) => {
                logger.warn({ err: (e as Error).message }, 'default identity policies not attached yet');
              });
            }, 60_000).unref();
            return repo;
          },
        },
        {
          provide: GATEWAY_RPC,
          useFactory: async () => {
            const rpc = new RpcClient(
              config.SYMBOLON_NATS_URL,
              'gateway',
              config.SYMBOLON_UPSTREAM_TIMEOUT_MS,
            );
            await rpc.connect();
            return rpc;
          },
        },
        {
          provide: AuditPublisher,
          useFactory: async () => {
            const publisher = new AuditPublisher();
            await publisher.start(config.SYMBOLON_NATS_URL);
            return publisher;
          },
        },
        {
          provide: KmsRequestHandler,
          inject: [AccessKeyRepository, GATEWAY_RPC, AuditPublisher, GATEWAY_DATA_SOURCE],
          useFactory: (callers: AccessKeyRepository, rpc: RpcClient, audit: AuditPublisher, ds: DataSource) =>
            new KmsRequestHandler(
              new SigV4Verifier({
                region: config.SYMBOLON_REGION,
                service: 'kms',
                maxSkewMs: config.SYMBOLON_MAX_SKEW_MS,
                lookupSecret: async (id) => {
                  const caller = await callers.findActive(id);
                  return caller ? { secretAccessKey: caller.secret } : undefined;
                },
              }),
              callers,
              rpc,
              audit,
              RateLimiter.fromConfig(config),
              new TenancyService(ds, accessKeyChanges, new RpcSecretWrapper(rpc), new IdentityPolicies(rpc)),
            ),
        },
        {
          provide: 'GatewayLifecycle',
          inject: [GATEWAY_DATA_SOURCE, GATEWAY_RPC, AuditPublisher, HealthRegistry],
          useFactory: (
            ds: DataSource,
            rpc: RpcClient,
            audit: AuditPublisher,
            health: HealthRegistry,
          ): OnApplicationShutdown => {
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            health.register('audit-stream', () => audit.connected());
            return {
              onApplicationShutdown: async () => {
                await audit.stop();
                await rpc.close();
                await ds.destroy();
              },
            };
          },
        },
      ],
    };
  }
}
