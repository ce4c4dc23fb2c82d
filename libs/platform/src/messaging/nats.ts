import type { NatsOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';

/** Microservice options for a Symbolon service: NATS with its queue group so replicas share load. */
export function natsMicroserviceOptions(natsUrl: string, queue: string, name: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers: natsUrl.split(','), queue, name, maxReconnectAttempts: -1 },
  };
}

export function natsClientOptions(natsUrl: string, name: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers: natsUrl.split(','), name, maxReconnectAttempts: -1 },
  };
}
