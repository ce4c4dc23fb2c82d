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
import { ensureEventsStream, logger, natsConnectionOptions } from '@symbolon/platform';

import type { AppendResult, AuditStore } from './audit-store.js';

const MAX_BATCH = 500;
const BATCH_WINDOW_MS = 100;
const FIRST_REDELIVERY_DELAY_MS = 1000;
const MAX_REDELIVERY_DELAY_MS = 60_000;

/**
 * Pulls request records from the durable JetStream consumer and stores them in batches; a message is acknowledged
 * only after its record committed (or was found stored already), so a crash at any point loses nothing (it is
 * redelivered, and stored once). A record that could not be stored is nak'ed with a growing delay: it never blocks
 * the records around it and is never dropped.
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
    this.nc = await connect(natsConnectionOptions(this.natsUrl, 'audit-consumer'));
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
    const messages: JsMsg[] = [];
    const events: RequestHandledEvent[] = [];
    for (const m of batch) {
      try {
        events.push(m.json<RequestHandledEvent>());
        messages.push(m);
      } catch {
        logger.error({ seq: m.seq }, 'audit event is not JSON; terminated');
        m.term();
      }
    }
    let results: AppendResult[];
    try {
      results = await this.store.append(events);
    } catch (e) {
      // append reports failures per event; this is a bug, not a refused record. Nothing was acknowledged.
      logger.error({ reason: (e as Error).name, batch: events.length }, 'storing audit batch failed');
      results = events.map(() => ({ outcome: 'failed' }));
    }
    this.stored += settle(messages, results);
  }
}

/** The part of a JetStream message that {@link settle} uses. */
export type SettleableMessage = Pick<JsMsg, 'ack' | 'nak' | 'info'>;

/**
 * Acknowledges each message whose record is stored or was stored before; naks the others with a growing delay (a
 * message without a result counts as failed). Returns how many records were newly stored.
 */
export function settle(messages: readonly SettleableMessage[], results: readonly AppendResult[]): number {
  let stored = 0;
  messages.forEach((m, i) => {
    const outcome = results[i]?.outcome ?? 'failed';
    if (outcome === 'failed') {
      m.nak(redeliveryDelayMs(m.info.deliveryCount));
      return;
    }
    if (outcome === 'stored') stored += 1;
    m.ack();
  });
  return stored;
}

/**
 * How long a message whose record was not stored waits before it is delivered again: doubling from one second with
 * each delivery, at most a minute. It stays in the stream until it is stored; it is never dropped.
 */
export function redeliveryDelayMs(deliveryCount: number): number {
  const n = Number.isFinite(deliveryCount) ? Math.max(1, Math.trunc(deliveryCount)) : 1;
  return Math.min(MAX_REDELIVERY_DELAY_MS, FIRST_REDELIVERY_DELAY_MS * 2 ** Math.min(n - 1, 16));
}
