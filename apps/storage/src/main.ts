import { QueueGroups } from '@symbolon/contracts';
import { bootstrapService, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { storageConfig } from './config.js';

runService(async () => {
  const config = storageConfig();
  await bootstrapService({
    service: QueueGroups.storage,
    module: AppModule.forConfig(config),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
