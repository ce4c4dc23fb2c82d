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
const BATCH_WINDOW_MS = 20;

/**
 * Pulls request records from the durable JetStream consumer and stores them in batches; a message is acknowledged
 * only after its batch committed, so a crash at any point loses nothing (it is redelivered, and stored once).
 */
export class EventsConsumer {
  private nc?: NatsConnection;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private pending: JsMsg[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
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
      noAsyncTraces: true,
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

  /**
   * Batches by size or by a short window: a record is stored at most BATCH_WINDOW_MS after it arrives (the gateway
   * waits only for JetStream's ack, never for this), and one transaction stores many records.
   */
  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      this.pending.push(m);
      if (this.pending.length >= MAX_BATCH) await this.cut();
      else this.timer ??= setTimeout(() => void this.cut(), BATCH_WINDOW_MS);
    }
    await this.cut();
  }

  /** Hands the pending messages to the store; batches are stored one after another, in arrival order. */
  private cut(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => this.flush(batch));
    return this.writing;
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
