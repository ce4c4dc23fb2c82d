import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type RequestHandledEvent, Subjects } from '@symbolon/contracts';
import { ensureEventsStream } from '@symbolon/platform';

/**
 * Publishes one record per handled request to JetStream and resolves only when the server has stored it (the
 * PubAck): the gateway answers after that, so no answered request lacks its audit record. The request id is the
 * JetStream message id, so a retried publish is stored once.
 */
export class AuditPublisher {
  private nc?: NatsConnection;
  private js?: JetStreamClient;

  async start(natsUrl: string): Promise<void> {
    this.nc = await connect({
      servers: natsUrl.split(','),
      name: 'gateway-audit',
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    await ensureEventsStream(await jetstreamManager(this.nc));
    this.js = jetstream(this.nc);
  }

  async publish(event: RequestHandledEvent): Promise<void> {
    if (!this.js) throw new Error('audit publisher not started');
    await this.js.publish(Subjects.events.requestHandled, JSON.stringify(event), {
      msgID: event.requestId,
      timeout: 5000,
    });
  }

  connected(): boolean {
    return !!this.nc && !this.nc.isClosed();
  }

  async stop(): Promise<void> {
    await this.nc?.drain();
  }
}
