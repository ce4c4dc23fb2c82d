import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, ObservabilityModule, openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import type { AuditConfig } from './config.js';
import { Initial1764374400001 } from './migrations/1764374400001-initial.js';
import { AuditRecordEntity, UsageCounterEntity } from './records/audit-record.entity.js';
import { AuditStore } from './records/audit-store.js';
import { EventsConsumer } from './records/events.consumer.js';
import { RecordsController } from './records/records.controller.js';
import { QueryRecordsUseCase } from './records/use-cases/query-records.use-case.js';
import { AUDIT_DATA_SOURCE, EVENTS_CONSUMER } from './tokens.js';

export const auditEntities = [AuditRecordEntity, UsageCounterEntity];
export const auditMigrations = [Initial1764374400001];

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
          provide: 'AuditLifecycle',
          inject: [AUDIT_DATA_SOURCE, EVENTS_CONSUMER],
          useFactory: (ds: DataSource, consumer: EventsConsumer): OnApplicationShutdown => ({
            onApplicationShutdown: async () => {
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
