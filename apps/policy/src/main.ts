import { QueueGroups } from '@symbolon/contracts';
import { bootstrapService, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { policyConfig } from './config.js';

runService(async () => {
  const config = policyConfig();
  await bootstrapService({
    service: QueueGroups.policy,
    module: AppModule.forConfig(config),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
