import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, ObservabilityModule, RpcClient, openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import type { AuditConfig } from './config.js';
import { Initial1764374400001 } from './migrations/1764374400001-initial.js';
import { AuditDigests1796100000001 } from './migrations/1796100000001-auditDigests.js';
import { AuditDigestEntity, AuditRecordEntity, UsageCounterEntity } from './records/audit-record.entity.js';
import { AuditStore } from './records/audit-store.js';
import { DigestJob } from './records/digest.job.js';
import { EventsConsumer } from './records/events.consumer.js';
import { RecordsController } from './records/records.controller.js';
import { QueryRecordsUseCase } from './records/use-cases/query-records.use-case.js';
import { AUDIT_DATA_SOURCE, DIGEST_JOB, EVENTS_CONSUMER } from './tokens.js';

export const auditEntities = [AuditRecordEntity, UsageCounterEntity, AuditDigestEntity];
export const auditMigrations = [Initial1764374400001, AuditDigests1796100000001];

@Module({})
export class AppModule {
  static forConfig(config: AuditConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      controllers: [RecordsController],
      providers: [
        {
          provide: AUDIT_DATA_SOURCE,
          useFactory: () =>
            openDataSource(
              {
                type: config.SYMBOLON_DB_TYPE as 'sqlite' | 'postgres',
                path: config.SYMBOLON_DB_PATH,
                url: config.SYMBOLON_DB_URL,
                schema: 'audit',
                migrate: config.SYMBOLON_DB_MIGRATE,
              },
              auditEntities,
              auditMigrations,
            ),
        },
        {
          provide: EVENTS_CONSUMER,
          inject: [AUDIT_DATA_SOURCE, HealthRegistry],
          useFactory: async (ds: DataSource, health: HealthRegistry) => {
            const store = new AuditStore(ds);
            const consumer = new EventsConsumer(config.SYMBOLON_NATS_URL, store);
            await consumer.start();
            health.register('events-consumer', () => consumer.connected());
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            return consumer;
          },
        },
        {
          provide: DIGEST_JOB,
          inject: [AUDIT_DATA_SOURCE],
          useFactory: async (ds: DataSource) => {
            const rpc = new RpcClient(
              config.SYMBOLON_NATS_URL,
              'audit-client',
              config.SYMBOLON_RPC_TIMEOUT_MS,
            );
            await rpc.connect();
            const job = new DigestJob(ds, rpc, config.SYMBOLON_AUDIT_DIGEST_INTERVAL_MS);
            job.start();
            return { job, rpc };
          },
        },
        {
          provide: 'AuditLifecycle',
          inject: [AUDIT_DATA_SOURCE, EVENTS_CONSUMER, DIGEST_JOB],
          useFactory: (
            ds: DataSource,
            consumer: EventsConsumer,
            digests: { job: DigestJob; rpc: RpcClient },
          ): OnApplicationShutdown => ({
            onApplicationShutdown: async () => {
              await digests.job.stop();
              await digests.rpc.close();
              await consumer.stop();
              await ds.destroy();
            },
          }),
        },
        QueryRecordsUseCase,
      ],
    };
  }
}
