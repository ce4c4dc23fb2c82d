/**
 * Baseline B, worker side: a Nest microservice on NATS (queue group bench-worker) doing AES-256-GCM in memory.
 * Env: BENCH_NATS_URL. Prints `ready` when subscribed.
 */
import 'reflect-metadata';

import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';

import { ENCRYPT_PATTERN, type EncryptFields, encryptReply } from './aes-gcm.js';

@Controller()
class EncryptHandler {
  @MessagePattern(ENCRYPT_PATTERN)
  encrypt(@Payload() input: EncryptFields): ReturnType<typeof encryptReply> {
    return encryptReply(input);
  }
}

@Module({ controllers: [EncryptHandler] })
class WorkerModule {}

const app = await NestFactory.createMicroservice<MicroserviceOptions>(WorkerModule, {
  transport: Transport.NATS,
  options: { servers: [process.env['BENCH_NATS_URL'] ?? ''], queue: 'bench-worker', name: 'bench-worker' },
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();
console.log('ready');
