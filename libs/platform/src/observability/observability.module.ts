import { Global, Module } from '@nestjs/common';

import { HealthRegistry, ObservabilityController } from './health.js';

/** /metrics and /health for a service; import once in its root module. */
@Global()
@Module({ providers: [HealthRegistry], controllers: [ObservabilityController], exports: [HealthRegistry] })
export class ObservabilityModule {}
