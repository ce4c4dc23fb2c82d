import type { Status } from '@nats-io/transport-node';

import { ConnectionState } from './audit-publisher.js';

/** A NATS connection stand-in whose status events the test pushes, one status() stream. */
class FakeConnection {
  closed = false;
  private readonly pending: Status[] = [];
  private wake?: () => void;
  private ended = false;

  isClosed(): boolean {
    return this.closed;
  }

  push(status: Status): void {
    this.pending.push(status);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  status(): AsyncIterable<Status> {
    const next = async (): Promise<IteratorResult<Status>> => {
      while (this.pending.length === 0 && !this.ended) await new Promise<void>((r) => (this.wake = r));
      const value = this.pending.shift();
      return value ? { value, done: false } : { value: undefined, done: true };
    };
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }
}

/** Lets the status loop take every pushed event. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ConnectionState', () => {
  it('should report connected when the connection is up and no event came', () => {
    const state = new ConnectionState();
    state.watch(new FakeConnection());
    expect(state.connected()).toBe(true);
  });

  it('should report not connected when it watches nothing yet', () => {
    expect(new ConnectionState().connected()).toBe(false);
  });

  it('should report not connected when NATS disconnects and the client is reconnecting', async () => {
    const nc = new FakeConnection();
    const state = new ConnectionState();
    state.watch(nc);
    nc.push({ type: 'disconnect', server: '127.0.0.1:4222' });
    nc.push({ type: 'reconnecting' });
    await settle();
    expect(nc.isClosed()).toBe(false);
    expect(state.connected()).toBe(false);
  });

  it('should report connected again when NATS reconnects', async () => {
    const nc = new FakeConnection();
    const state = new ConnectionState();
    state.watch(nc);
    nc.push({ type: 'disconnect', server: '127.0.0.1:4222' });
    await settle();
    nc.push({ type: 'reconnect', server: '127.0.0.1:4222' });
    await settle();
    expect(state.connected()).toBe(true);
  });

  it('should stay connected when a status event says nothing about the link', async () => {
    const nc = new FakeConnection();
    const state = new ConnectionState();
    state.watch(nc);
    nc.push({ type: 'ping', pendingPings: 1 });
    nc.push({ type: 'update', added: ['127.0.0.1:4223'] });
    await settle();
    expect(state.connected()).toBe(true);
  });

  it('should report not connected when the connection closes', async () => {
    const nc = new FakeConnection();
    const state = new ConnectionState();
    state.watch(nc);
    nc.closed = true;
    nc.push({ type: 'close' });
    nc.end();
    await settle();
    expect(state.connected()).toBe(false);
  });
});
