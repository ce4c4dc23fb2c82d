import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { Subjects } from '@symbolon/contracts';
import {
  AuditPublisher,
  HealthRegistry,
  ObservabilityModule,
  RpcClient,
  logger,
  natsConnectionOptions,
  openDataSource,
} from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { SigningKeys, gatewaySigningKeys } from './auth/signing-keys.js';
import type { BlobStore } from './blobs/blob-store.js';
import { JetStreamBlobStore } from './blobs/jetstream.store.js';
import { LocalFolderBlobStore } from './blobs/local-folder.store.js';
import { BucketsService } from './buckets/buckets.service.js';
import type { StorageConfig } from './config.js';
import { Ingest } from './http/ingest.js';
import { S3Operations } from './http/s3-operations.js';
import { S3Server } from './http/s3-server.js';
import { Initial1796600000000 } from './migrations/1796600000000-initial.js';
import { MultipartService } from './multipart/multipart.service.js';
import { BlobJanitor } from './objects/blob-janitor.js';
import { ObjectsService } from './objects/objects.service.js';
import { storageEntities } from './objects/storage.entities.js';
import { BLOB_STORE, STORAGE_DATA_SOURCE, STORAGE_RPC } from './tokens.js';

export const storageMigrations = [Initial1796600000000];

/** The blob store the configuration names, and how to release what it opened. */
async function openBlobStore(
  config: StorageConfig,
): Promise<{ store: BlobStore; close: () => Promise<void> }> {
  if (config.SYMBOLON_STORAGE_BACKEND === 'jetstream') {
    const nc = await connect(natsConnectionOptions(config.SYMBOLON_NATS_URL, 'storage-blobs'));
    const store = new JetStreamBlobStore(nc, {
      bucket: config.SYMBOLON_STORAGE_BUCKET,
      replicas: config.SYMBOLON_STORAGE_REPLICAS,
    });
    return {
      store,
      close: async () => {
        await store.close();
        await nc.close();
      },
    };
  }
  if (!config.SYMBOLON_STORAGE_DIR)
    throw new Error('SYMBOLON_STORAGE_DIR is required for the folder backend');
  const store = new LocalFolderBlobStore(config.SYMBOLON_STORAGE_DIR);
  return { store, close: () => store.close() };
}

@Module({})
export class AppModule {
  static forConfig(config: StorageConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule],
      providers: [
        {
          provide: STORAGE_DATA_SOURCE,
          useFactory: () =>
            openDataSource(
              {
                type: config.SYMBOLON_DB_TYPE as 'sqlite' | 'postgres',
                path: config.SYMBOLON_DB_PATH,
                url: config.SYMBOLON_DB_URL,
                schema: 'storage',
                migrate: config.SYMBOLON_DB_MIGRATE,
              },
              storageEntities,
              storageMigrations,
            ),
        },
        {
          provide: STORAGE_RPC,
          useFactory: async () => {
            const rpc = new RpcClient(config.SYMBOLON_NATS_URL, 'storage', config.SYMBOLON_RPC_TIMEOUT_MS);
            await rpc.connect();
            return rpc;
          },
        },
        {
          provide: BLOB_STORE,
          useFactory: async () => {
            const opened = await openBlobStore(config);
            // What a crash left (temporary files, incomplete uploads) goes before the first request.
            await opened.store.recover();
            return opened;
          },
        },
        {
          provide: AuditPublisher,
          useFactory: async () => {
            const publisher = new AuditPublisher(Subjects.events.requestHandled, 'storage-audit');
            await publisher.start(config.SYMBOLON_NATS_URL);
            return publisher;
          },
        },
        {
          provide: 'StorageLifecycle',
          inject: [STORAGE_DATA_SOURCE, STORAGE_RPC, BLOB_STORE, AuditPublisher, HealthRegistry],
          useFactory: async (
            ds: DataSource,
            rpc: RpcClient,
            blobs: { store: BlobStore; close: () => Promise<void> },
            audit: AuditPublisher,
            health: HealthRegistry,
          ): Promise<OnApplicationShutdown> => {
            const objects = new ObjectsService(ds, blobs.store);
            const multipart = new MultipartService(ds, objects);
            const operations = new S3Operations(
              new BucketsService(ds),
              objects,
              multipart,
              new Ingest(blobs.store, config.SYMBOLON_S3_MAX_OBJECT_BYTES),
              config.SYMBOLON_REGION,
            );
            const server = new S3Server({
              keys: new SigningKeys(gatewaySigningKeys(rpc), config.SYMBOLON_SIGNING_KEY_CACHE_TTL_MS),
              region: config.SYMBOLON_REGION,
              maxSkewMs: config.SYMBOLON_MAX_SKEW_MS,
              operations,
              // Every request's record is stored before its answer, as the gateway's (DESIGN, invariant 3).
              audit,
            });
            const janitor = new BlobJanitor(ds, blobs.store, config.SYMBOLON_STORAGE_GRACE_MS, {
              expire: (cutoff) => multipart.expire(cutoff),
              afterMs: config.SYMBOLON_STORAGE_UPLOAD_EXPIRY_MS,
            });
            janitor.start(config.SYMBOLON_STORAGE_SWEEP_INTERVAL_MS);
            health.register('database', async () => (await ds.query('SELECT 1')).length === 1);
            health.register('audit-stream', () => audit.connected());
            const port = await server.listen(config.SYMBOLON_S3_PORT, config.SYMBOLON_S3_HOST);
            logger.info({ s3Port: port, backend: config.SYMBOLON_STORAGE_BACKEND }, 's3 ready');
            return {
              onApplicationShutdown: async () => {
                await server.close();
                await janitor.stop();
                await blobs.close();
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
