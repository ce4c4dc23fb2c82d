import { QueueGroups } from '@symbolon/contracts';
import { bootstrapService, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { auditConfig } from './config.js';

runService(async () => {
  const config = auditConfig();
  await bootstrapService({
    service: QueueGroups.audit,
    module: AppModule.forConfig(config),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
