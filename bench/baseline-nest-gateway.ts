/**
 * Baseline B, HTTP side: NestJS on Fastify takes the KMS Encrypt request and forwards it over NATS (Nest ClientProxy)
 * to baseline-nest-worker, one hop. Verifies nothing. Env: BENCH_PORT, BENCH_NATS_URL. Prints `ready` when listening.
 */
import 'reflect-metadata';

import { Body, Controller, Header, Headers, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ClientProxy, ClientsModule, Transport } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { firstValueFrom, timeout } from 'rxjs';

import { ENCRYPT_PATTERN, type EncryptFields } from './aes-gcm.js';

const WORKER = 'WORKER';

@Controller()
class EncryptController {
  constructor(@Inject(WORKER) private readonly worker: ClientProxy) {}

  @Post('/')
  @HttpCode(200)
  @Header('content-type', 'application/x-amz-json-1.1')
  async encrypt(@Body() body: EncryptFields, @Headers('x-amz-target') target: string): Promise<string> {
    if (target !== 'TrentService.Encrypt') throw new Error('unknown operation');
    const reply = await firstValueFrom(this.worker.send<object>(ENCRYPT_PATTERN, body).pipe(timeout(10_000)));
    return JSON.stringify(reply);
  }
}

@Module({
  imports: [
    ClientsModule.register([
      {
        name: WORKER,
        transport: Transport.NATS,
        options: { servers: [process.env['BENCH_NATS_URL'] ?? ''], name: 'bench-gateway' },
      },
    ]),
  ],
  controllers: [EncryptController],
})
class GatewayModule {}

const app = await NestFactory.create<NestFastifyApplication>(GatewayModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
app
  .getHttpAdapter()
  .getInstance()
  .addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
app.enableShutdownHooks();
await app.listen(Number(process.env['BENCH_PORT']), '127.0.0.1');
await app.get<ClientProxy>(WORKER).connect();
console.log('ready');
