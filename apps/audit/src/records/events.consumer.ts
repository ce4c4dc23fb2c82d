import {
  type ConsumerMessages,
  type JsMsg,
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { AuditStream, type RequestHandledEvent } from '@symbolon/contracts';
import { ensureEventsStream, logger } from '@symbolon/platform';

import type { AuditStore } from './audit-store.js';

const MAX_BATCH = 500;

/**
 * Pulls request records from the durable JetStream consumer and stores them in batches; a message is acknowledged
 * only after its batch committed, so a crash at any point loses nothing (it is redelivered, and stored once).
 */
export class EventsConsumer {
  private nc?: NatsConnection;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  stored = 0;

  constructor(
    private readonly natsUrl: string,
    private readonly store: AuditStore,
  ) {}

  async start(): Promise<void> {
    this.nc = await connect({
      servers: this.natsUrl.split(','),
      name: 'audit-consumer',
      maxReconnectAttempts: -1,
    });
    const jsm = await jetstreamManager(this.nc);
    await ensureEventsStream(jsm);
    await jsm.consumers.add(AuditStream.name, {
      durable_name: AuditStream.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000_000_000,
      max_ack_pending: 10_000,
    });
    const consumer = await jetstream(this.nc).consumers.get(AuditStream.name, AuditStream.consumer);
    this.messages = await consumer.consume({ max_messages: 1000 });
    this.loop = this.run(this.messages);
  }

  connected(): boolean {
    return !!this.nc && !this.nc.isClosed();
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
    await this.nc?.drain();
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    let batch: JsMsg[] = [];
    for await (const m of messages) {
      batch.push(m);
      if (batch.length >= MAX_BATCH || messages.getPending() === 0) {
        await this.flush(batch);
        batch = [];
      }
    }
    await this.flush(batch);
  }

  private async flush(batch: JsMsg[]): Promise<void> {
    if (batch.length === 0) return;
    const events: RequestHandledEvent[] = [];
    for (const m of batch) {
      try {
        events.push(m.json<RequestHandledEvent>());
      } catch {
        logger.error({ seq: m.seq }, 'audit event is not JSON; terminated');
        m.term();
      }
    }
    try {
      this.stored += await this.store.append(events);
      for (const m of batch) m.ack();
    } catch (e) {
      logger.error(
        { err: (e as Error).message, batch: batch.length },
        'storing audit batch failed; will be redelivered',
      );
      for (const m of batch) m.nak(1000);
    }
  }
}
