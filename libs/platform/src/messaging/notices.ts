import { type NatsConnection, type Subscription, connect } from '@nats-io/transport-node';

import { logger } from '../observability/logger.js';
import { natsConnectionOptions } from './nats.js';

/**
 * Notices: small core-NATS messages every replica receives (no queue group), such as "a policy changed, drop your
 * cached copy". Not durable: a replica that was disconnected gets `onReconnect` instead and must drop everything
 * it cached from the notices' source.
 */
export class NoticeBus {
  private readonly subscriptions: Subscription[] = [];

  private constructor(private readonly nc: NatsConnection) {}

  static async open(natsUrl: string, name: string, onReconnect?: () => void): Promise<NoticeBus> {
    const nc = await connect(natsConnectionOptions(natsUrl, name));
    const bus = new NoticeBus(nc);
    if (onReconnect) {
      void (async () => {
        for await (const s of nc.status()) if (s.type === 'reconnect') onReconnect();
      })();
    }
    return bus;
  }

  /** Publishes and flushes, so the server has the notice before the caller goes on. */
  async publish(subject: string, payload: object): Promise<void> {
    this.nc.publish(subject, JSON.stringify(payload));
    await this.nc.flush();
  }

  subscribe<T>(subject: string, handler: (payload: T) => void): void {
    const sub = this.nc.subscribe(subject);
    this.subscriptions.push(sub);
    void (async () => {
      for await (const m of sub) {
        try {
          handler(m.json<T>());
        } catch (e) {
          logger.warn({ subject, err: (e as Error).message }, 'notice not handled');
        }
      }
    })();
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
