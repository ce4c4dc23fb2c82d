import { Controller, Get, Header, HttpCode, HttpException, Inject, Injectable } from '@nestjs/common';

import { registry } from './metrics.js';

export type HealthCheck = () => Promise<boolean> | boolean;

/** Named readiness checks a service registers (nats, database, token...). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async run(): Promise<{ ok: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    return { ok: Object.values(checks).every(Boolean), checks };
  }
}

@Controller()
export class ObservabilityController {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  @Get('metrics')
  @Header('Content-Type', registry.contentType)
  metrics(): Promise<string> {
    return registry.metrics();
  }

  @Get('health')
  @HttpCode(200)
  async healthCheck(): Promise<{ status: string; checks: Record<string, boolean> }> {
    const result = await this.health.run();
    if (!result.ok) throw new HttpException({ status: 'unhealthy', checks: result.checks }, 503);
    return { status: 'ok', checks: result.checks };
  }
}
