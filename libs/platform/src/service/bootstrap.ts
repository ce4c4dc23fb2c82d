import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { natsMicroserviceOptions } from '../messaging/nats.js';
import { RpcErrorFilter } from '../messaging/rpc-error.filter.js';
import { rpcValidationPipe } from '../messaging/validation.js';
import { PinoNestLogger, logger } from '../observability/logger.js';
import { RpcMetricsInterceptor } from '../observability/metrics.interceptor.js';

export interface ServiceBootstrap {
  /** Service name: queue group, metric prefix, log field. */
  service: string;
  module: Parameters<typeof NestFactory.create>[0];
  natsUrl: string;
  /** HTTP port for /metrics and /health; 0 picks a free one. */
  httpPort: number;
  httpHost?: string;
}

/**
 * Starts a service as Nest on Fastify (metrics, health) plus a NATS microservice in its queue group, with the
 * shared RPC pipe, error filter and metrics. Returns once both listen.
 */
export async function bootstrapService(opts: ServiceBootstrap): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(opts.module, new FastifyAdapter(), {
    logger: new PinoNestLogger(),
  });
  const ms = app.connectMicroservice(natsMicroserviceOptions(opts.natsUrl, opts.service, opts.service), {
    deferInitialization: true,
  });
  ms.useGlobalPipes(rpcValidationPipe());
  ms.useGlobalFilters(new RpcErrorFilter());
  ms.useGlobalInterceptors(new RpcMetricsInterceptor(opts.service));
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(opts.httpPort, opts.httpHost ?? '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.httpPort;
  logger.info({ service: opts.service, metricsPort: port }, 'service ready');
  return app;
}

/** Runs main() and exits non-zero with a logged reason when boot fails. */
export function runService(main: () => Promise<unknown>): void {
  main().catch((e: unknown) => {
    logger.fatal(
      { err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) },
      'boot failed',
    );
    process.exit(1);
  });
}
