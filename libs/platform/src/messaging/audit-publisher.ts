import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, type Status, connect } from '@nats-io/transport-node';
import { type RequestHandledEvent, Subjects } from '@symbolon/contracts';
import { ensureEventsStream } from './jetstream.js';
import { natsConnectionOptions } from './nats.js';

/**
 * Publishes one record per handled request to JetStream and resolves only when the server has stored it (the
 * PubAck): the gateway answers after that, so no answered request lacks its audit record. The request id is the
 * JetStream message id, so a retried publish is stored once. The coordinator publishes its own actions (the
 * lifecycle job's) the same way, on their own subject.
 */
export class AuditPublisher {
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private readonly link = new ConnectionState();

  constructor(
    private readonly subject: string = Subjects.events.requestHandled,
    private readonly connectionName = 'gateway-audit',
  ) {}

  async start(natsUrl: string): Promise<void> {
    this.nc = await connect(natsConnectionOptions(natsUrl, this.connectionName));
    this.link.watch(this.nc);
    await ensureEventsStream(await jetstreamManager(this.nc));
    this.js = jetstream(this.nc);
  }

  async publish(event: RequestHandledEvent): Promise<void> {
    if (!this.js) throw new Error('audit publisher not started');
    await this.js.publish(this.subject, JSON.stringify(event), {
      msgID: event.requestId,
      timeout: 5000,
    });
  }

  /** False while the connection is down (NATS reconnecting) or closed: /health reports the gateway unhealthy. */
  connected(): boolean {
    return this.link.connected();
  }

  async stop(): Promise<void> {
    await this.nc?.drain();
  }
}

/**
 * Whether a NATS connection is up, from its status events: `isClosed()` stays false while the client reconnects
 * (maxReconnectAttempts -1), so it cannot tell a live connection from a lost one.
 */
export class ConnectionState {
  private nc?: Pick<NatsConnection, 'isClosed'>;
  private up = false;

  /** Starts following `nc`, which must be connected now; the status loop ends when the connection closes. */
  watch(nc: Pick<NatsConnection, 'isClosed' | 'status'>): void {
    this.nc = nc;
    this.up = !nc.isClosed();
    void this.follow(nc.status());
  }

  connected(): boolean {
    return this.up && !!this.nc && !this.nc.isClosed();
  }

  private async follow(statuses: AsyncIterable<Status>): Promise<void> {
    try {
      for await (const s of statuses) {
        if (s.type === 'disconnect' || s.type === 'close') this.up = false;
        else if (s.type === 'reconnect') this.up = true;
      }
    } catch {
      // The iterator only fails when the connection is gone.
      this.up = false;
    }
  }
}
