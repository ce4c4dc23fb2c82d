import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueGroups } from '@symbolon/contracts';
import {
  PinoNestLogger,
  RpcErrorFilter,
  logger,
  natsMicroserviceOptions,
  rpcValidationPipe,
  runService,
} from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { gatewayConfig } from './config.js';
import { AwsHttpFilter } from './kms/aws-http.filter.js';
import { KmsRequestHandler } from './kms/kms-request.handler.js';
import { registerWebApp } from './web/web-app.js';

runService(async () => {
  const config = gatewayConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forConfig(config),
    new FastifyAdapter({ bodyLimit: config.SYMBOLON_MAX_BODY_BYTES, trustProxy: false }),
    { logger: new PinoNestLogger(), bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // SigV4 signs the exact bytes: keep every body as a Buffer, whatever its content type. Fastify's own JSON and
  // text/plain parsers would otherwise win over '*' for those types (AWS accepts both on its JSON 1.1 endpoint).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  registerWebApp(fastify);
  const handler = app.get(KmsRequestHandler);
  app.useGlobalFilters(new AwsHttpFilter(handler, config.SYMBOLON_MAX_BODY_BYTES));
  // NATS too, for the one thing only the gateway can give: S3 signing keys to the storage service (ADR 0017).
  const ms = app.connectMicroservice(
    natsMicroserviceOptions(config.SYMBOLON_NATS_URL, QueueGroups.gateway, QueueGroups.gateway),
    { deferInitialization: true },
  );
  ms.useGlobalPipes(rpcValidationPipe());
  ms.useGlobalFilters(new RpcErrorFilter());
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.SYMBOLON_PORT, config.SYMBOLON_HOST);
  logger.info({ port: config.SYMBOLON_PORT }, 'gateway ready');
});
