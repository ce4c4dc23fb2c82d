/**
 * A raw NATS subscriber on `>` that keeps every message it sees (subject, reply subject, headers, payload), to search
 * the traffic between the services for secrets.
 */
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { natsConnectionOptions } from '@symbolon/platform';

import type { Haystack } from './leak-scan.js';

export interface RecordedMessage {
  subject: string;
  reply: string;
  /** Header lines `name: value`, one per value. */
  headers: string;
  data: Buffer;
}

export interface NatsRecorder {
  readonly messages: readonly RecordedMessage[];
  /** Each message as one haystack: subject, reply, headers and payload together. */
  haystacks(): Haystack[];
  stop(): Promise<void>;
}

export async function startNatsRecorder(natsUrl: string): Promise<NatsRecorder> {
  const nc: NatsConnection = await connect(natsConnectionOptions(natsUrl, 'invariants-recorder'));
  const messages: RecordedMessage[] = [];
  nc.subscribe('>', {
    callback: (err, msg) => {
      if (err) return;
      const lines: string[] = [];
      if (msg.headers) for (const [k, vs] of msg.headers) for (const v of vs) lines.push(`${k}: ${v}`);
      messages.push({
        subject: msg.subject,
        reply: msg.reply ?? '',
        headers: lines.join('\n'),
        data: Buffer.from(msg.data),
      });
    },
  });
  // The subscription is registered on the server once a round trip has completed.
  await nc.flush();
  return {
    messages,
    haystacks: () =>
      messages.map((m, i) => ({
        source: `NATS message #${i} on ${m.subject}`,
        data: Buffer.concat([Buffer.from(`${m.subject}\n${m.reply}\n${m.headers}\n`, 'utf8'), m.data]),
      })),
    /** Idempotent. */
    stop: async () => {
      if (!nc.isClosed() && !nc.isDraining()) await nc.drain();
    },
  };
}
