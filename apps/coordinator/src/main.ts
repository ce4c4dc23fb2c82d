import { QueueGroups } from '@symbolon/contracts';
import { bootstrapService, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { coordinatorConfig } from './config.js';

runService(async () => {
  const config = coordinatorConfig();
  await bootstrapService({
    service: QueueGroups.coordinator,
    module: AppModule.forConfig(config),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
