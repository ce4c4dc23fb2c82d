import type { NatsOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';

/**
 * How every Symbolon process connects to NATS: reconnect forever, and noAsyncTraces (the client otherwise builds an
 * Error per request for async stack traces: 6.7 % of the gateway's CPU profile under load). The URL may carry
 * `user:password@`: they are passed as the client's user and pass (the client does not read them from the URL).
 */
export function natsConnectionOptions(natsUrl: string, name: string) {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = natsUrl.split(',').map((server) => {
    const url = new URL(server);
    if (url.username) {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    }
    return `${url.protocol}//${url.host}`;
  });
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    noAsyncTraces: true,
    ...(user !== undefined ? { user, pass } : {}),
  };
}

/** Microservice options for a Symbolon service: NATS with its queue group so replicas share load. */
export function natsMicroserviceOptions(natsUrl: string, queue: string, name: string): NatsOptions {
  return { transport: Transport.NATS, options: { ...natsConnectionOptions(natsUrl, name), queue } };
}

export function natsClientOptions(natsUrl: string, name: string): NatsOptions {
  return { transport: Transport.NATS, options: natsConnectionOptions(natsUrl, name) };
}
