import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@symbolon/contracts';
import {
  AuditPublisher,
  HealthRegistry,
  NoticeBus,
  ObservabilityModule,
  AUDIT_REPLY_INBOX,
  RpcClient,
  openDataSource,
} from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { AliasEntity } from './aliases/alias.entity.js';
import { AliasRepository } from './aliases/alias.repository.js';
import { AliasesController } from './aliases/aliases.controller.js';
import { CreateAliasUseCase } from './aliases/use-cases/create-alias/create-alias.use-case.js';
import { DeleteAliasUseCase } from './aliases/use-cases/delete-alias/delete-alias.use-case.js';
import { ListAliasesUseCase } from './aliases/use-cases/list-aliases/list-aliases.use-case.js';
import { UpdateAliasUseCase } from './aliases/use-cases/update-alias/update-alias.use-case.js';
import { CLOCK, systemClock } from './clock.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from './config.js';
import { DomainChangesUseCase } from './domain/domain-changes.use-case.js';
import { Rewrap } from './jobs/rewrap.js';
import { DomainController } from './domain/domain.controller.js';
import { DomainEntity, DomainProposalEntity, DomainStateEntity } from './domain/domain.entity.js';
import { CustomKeyStores } from './domain/custom-key-stores.js';
import { DomainService } from './domain/domain.service.js';
import { KeyAdminController } from './keys/key-admin.controller.js';
import { ListAuditEventsUseCase } from './keys/use-cases/list-audit-events/list-audit-events.use-case.js';
import { CustodyController } from './keys/custody.controller.js';
import { KeyCustodyRepository } from './keys/key-custody.repository.js';
import { ReinstateKeyUseCase } from './keys/use-cases/custody/reinstate-key.use-case.js';
import { ShredKeyUseCase } from './keys/use-cases/custody/shred-key.use-case.js';
import { SuspendKeyUseCase } from './keys/use-cases/custody/suspend-key.use-case.js';
import { ExportAuditChainUseCase } from './keys/use-cases/list-audit-events/export-audit-chain.use-case.js';
import { SigningUseCase } from './evidence/signing.use-case.js';
import { GetKeyUsageUseCase } from './keys/use-cases/get-key-usage/get-key-usage.use-case.js';
import { KeyAdminRepository } from './keys/key-admin.repository.js';
import { KeyLifecycleJob } from './jobs/key-lifecycle.job.js';
import { WearOut } from './jobs/wear-out.js';
import { KeyLifecycleController } from './keys/key-lifecycle.controller.js';
import { KeyLifecycleRepository } from './keys/key-lifecycle.repository.js';
import { KeyResolver } from './keys/key-resolver.js';
import { KeyRotator } from './keys/key-rotator.js';
import { KeyTagEntity } from './keys/key-tag.entity.js';
import { KeyEntity, KeyVersionEntity } from './keys/key.entity.js';
import { KeyRepository } from './keys/key.repository.js';
import { KeysController } from './keys/keys.controller.js';
import { CreateKeyUseCase } from './keys/use-cases/create-key/create-key.use-case.js';
import { DecryptUseCase } from './keys/use-cases/decrypt/decrypt.use-case.js';
import { DescribeKeyUseCase } from './keys/use-cases/describe-key/describe-key.use-case.js';
import { DisableKeyUseCase } from './keys/use-cases/disable-key/disable-key.use-case.js';
import { EnableKeyUseCase } from './keys/use-cases/enable-key/enable-key.use-case.js';
import { EncryptUseCase } from './keys/use-cases/encrypt/encrypt.use-case.js';
import { GenerateDataKeyUseCase } from './keys/use-cases/generate-data-key/generate-data-key.use-case.js';
import { GenerateRandomUseCase } from './keys/use-cases/generate-random/generate-random.use-case.js';
import { ListKeysUseCase } from './keys/use-cases/list-keys/list-keys.use-case.js';
import { ListResourceTagsUseCase } from './keys/use-cases/list-resource-tags/list-resource-tags.use-case.js';
import { TagResourceUseCase } from './keys/use-cases/tag-resource/tag-resource.use-case.js';
import { UntagResourceUseCase } from './keys/use-cases/untag-resource/untag-resource.use-case.js';
import { CancelKeyDeletionUseCase } from './keys/use-cases/cancel-key-deletion/cancel-key-deletion.use-case.js';
import { DisableKeyRotationUseCase } from './keys/use-cases/disable-key-rotation/disable-key-rotation.use-case.js';
import { EnableKeyRotationUseCase } from './keys/use-cases/enable-key-rotation/enable-key-rotation.use-case.js';
import { GetKeyRotationStatusUseCase } from './keys/use-cases/get-key-rotation-status/get-key-rotation-status.use-case.js';
import { ListKeyRotationsUseCase } from './keys/use-cases/list-key-rotations/list-key-rotations.use-case.js';
import { ReEncryptUseCase } from './keys/use-cases/re-encrypt/re-encrypt.use-case.js';
import { RotateKeyOnDemandUseCase } from './keys/use-cases/rotate-key-on-demand/rotate-key-on-demand.use-case.js';
import { ScheduleKeyDeletionUseCase } from './keys/use-cases/schedule-key-deletion/schedule-key-deletion.use-case.js';
import { UpdateKeyDescriptionUseCase } from './keys/use-cases/update-key-description/update-key-description.use-case.js';
import { Initial1764374400000 } from './migrations/1764374400000-initial.js';
import { KeyLifecycle1795916000000 } from './migrations/1795916000000-keyLifecycle.js';
import { Custody1796100000000 } from './migrations/1796100000000-custody.js';
import { DomainProposals1796200000000 } from './migrations/1796200000000-domainProposals.js';
import { DomainProposalSignatures1796300000000 } from './migrations/1796300000000-domainProposalSignatures.js';
import { DomainPlacement1796400000000 } from './migrations/1796400000000-domainPlacement.js';
import { KeyVersionGenerationIndex1796500000000 } from './migrations/1796500000000-keyVersionGenerationIndex.js';
import { AliasesAndTags1795915463217 } from './migrations/1795915463217-aliasesAndTags.js';
import { GrantsUseCase } from './key-policies/grants.use-case.js';
import { KeyPoliciesController } from './key-policies/key-policies.controller.js';
import { KeyPoliciesUseCase } from './key-policies/key-policies.use-case.js';
import { PolicyClient } from './policy/policy.client.js';
import { SecretsController } from './secrets/secrets.controller.js';
import { SecretsService } from './secrets/secrets.service.js';
import { HsmRouter } from './routing/hsm-router.js';
import { NodeHealth } from './routing/node-health.js';
import { AUDIT_RPC, DATA_SOURCE, JOB_EVENTS, RPC } from './tokens.js';

export const coordinatorEntities = [
  KeyEntity,
  KeyVersionEntity,
  DomainStateEntity,
  DomainProposalEntity,
  DomainEntity,
  AliasEntity,
  KeyTagEntity,
];
export const coordinatorMigrations = [
  Initial1764374400000,
  AliasesAndTags1795915463217,
  KeyLifecycle1795916000000,
  Custody1796100000000,
  DomainProposals1796200000000,
  DomainProposalSignatures1796300000000,
  DomainPlacement1796400000000,
  KeyVersionGenerationIndex1796500000000,
];

@Module({})
export class AppModule {
  static forConfig(config: CoordinatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [
        KeysController,
        AliasesController,
        KeyAdminController,
        KeyLifecycleController,
        SecretsController,
        KeyPoliciesController,
        CustodyController,
        DomainController,
      ],
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
          provide: AUDIT_RPC,
          useFactory: async () => {
            const rpc = new RpcClient(
              config.SYMBOLON_NATS_URL,
              'coordinator-audit-client',
              config.SYMBOLON_RPC_TIMEOUT_MS,
              { inboxToken: AUDIT_REPLY_INBOX },
            );
            await rpc.connect();
            return rpc;
          },
        },
        {
          provide: 'CoordinatorLifecycle',
          inject: [DATA_SOURCE, RPC, AUDIT_RPC, HealthRegistry],
          useFactory: (
            ds: DataSource,
            rpc: RpcClient,
            auditRpc: RpcClient,
            health: HealthRegistry,
          ): OnApplicationShutdown => {
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            return {
              onApplicationShutdown: async () => {
                await rpc.close();
                await auditRpc.close();
                await ds.destroy();
              },
            };
          },
        },
        {
          provide: AliasRepository,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new AliasRepository(ds),
        },
        {
          provide: KeyAdminRepository,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new KeyAdminRepository(ds),
        },
        DomainService,
        CustomKeyStores,
        DomainChangesUseCase,
        Rewrap,
        PolicyClient,
        {
          // Policy changes (any replica of policy) drop this replica's reused decisions before the change is acked.
          provide: 'PolicyNotices',
          inject: [PolicyClient],
          useFactory: async (policy: PolicyClient): Promise<OnApplicationShutdown> => {
            const bus = await NoticeBus.open(config.SYMBOLON_NATS_URL, 'coordinator-notices', () =>
              policy.clear(),
            );
            bus.subscribe(Subjects.notices.policyChanged, () => policy.clear());
            return { onApplicationShutdown: () => bus.close() };
          },
        },
        KeyPoliciesUseCase,
        GrantsUseCase,
        HsmRouter,
        NodeHealth,
        KeyResolver,
        CreateKeyUseCase,
        DescribeKeyUseCase,
        ListKeysUseCase,
        EncryptUseCase,
        DecryptUseCase,
        SecretsService,
        GenerateDataKeyUseCase,
        GenerateRandomUseCase,
        CreateAliasUseCase,
        UpdateAliasUseCase,
        DeleteAliasUseCase,
        ListAliasesUseCase,
        TagResourceUseCase,
        UntagResourceUseCase,
        ListResourceTagsUseCase,
        GetKeyUsageUseCase,
        ListAuditEventsUseCase,
        ExportAuditChainUseCase,
        ShredKeyUseCase,
        SuspendKeyUseCase,
        ReinstateKeyUseCase,
        SigningUseCase,
        KeyCustodyRepository,
        UpdateKeyDescriptionUseCase,
        EnableKeyUseCase,
        DisableKeyUseCase,
        { provide: CLOCK, useValue: systemClock },
        KeyLifecycleRepository,
        KeyRotator,
        ScheduleKeyDeletionUseCase,
        CancelKeyDeletionUseCase,
        EnableKeyRotationUseCase,
        DisableKeyRotationUseCase,
        GetKeyRotationStatusUseCase,
        RotateKeyOnDemandUseCase,
        ListKeyRotationsUseCase,
        ReEncryptUseCase,
        {
          // The lifecycle job's own actions (wear-out rotations) go to the audit chain like requests.
          provide: JOB_EVENTS,
          useFactory: async (): Promise<AuditPublisher> => {
            const publisher = new AuditPublisher(Subjects.events.jobHandled, 'coordinator-audit');
            await publisher.start(config.SYMBOLON_NATS_URL);
            return publisher;
          },
        },
        {
          provide: 'JobEventsLifecycle',
          inject: [JOB_EVENTS],
          useFactory: (publisher: AuditPublisher): OnApplicationShutdown => ({
            onApplicationShutdown: () => publisher.stop(),
          }),
        },
        WearOut,
        KeyLifecycleJob,
      ],
    };
  }
}
