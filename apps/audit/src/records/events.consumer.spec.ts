import type { AppendResult } from './audit-store.js';
import { type SettleableMessage, redeliveryDelayMs, settle } from './events.consumer.js';

class FakeMessage implements SettleableMessage {
  acked = 0;
  naks: (number | undefined)[] = [];
  constructor(private readonly deliveryCount = 1) {}
  get info(): SettleableMessage['info'] {
    return { deliveryCount: this.deliveryCount } as SettleableMessage['info'];
  }
  ack(): void {
    this.acked += 1;
  }
  nak(millis?: number): void {
    this.naks.push(millis);
  }
}

describe('settle', () => {
  it('should ack stored and duplicate records and nak the failed one when a batch is partly refused', () => {
    const messages = [new FakeMessage(), new FakeMessage(), new FakeMessage(), new FakeMessage()];
    const results: AppendResult[] = [
      { outcome: 'stored', sequence: 7 },
      { outcome: 'failed', reason: '22001' },
      { outcome: 'duplicate' },
      { outcome: 'stored', sequence: 8 },
    ];
    expect(settle(messages, results)).toBe(2);
    expect(messages.map((m) => [m.acked, m.naks.length])).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
      [1, 0],
    ]);
    expect(messages[1]!.naks).toEqual([1000]);
  });

  it('should nak with a longer delay when the message was delivered before', () => {
    const messages = [new FakeMessage(4)];
    settle(messages, [{ outcome: 'failed' }]);
    expect(messages[0]!.naks).toEqual([8000]);
  });

  it('should nak when a message has no result', () => {
    const messages = [new FakeMessage(), new FakeMessage()];
    expect(settle(messages, [{ outcome: 'stored', sequence: 1 }])).toBe(1);
    expect(messages[1]!.acked).toBe(0);
    expect(messages[1]!.naks).toEqual([1000]);
  });
});

describe('redeliveryDelayMs', () => {
  it('should double from one second when the delivery count grows', () => {
    expect([1, 2, 3, 4].map(redeliveryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('should stay at one minute when the record keeps failing', () => {
    expect(redeliveryDelayMs(7)).toBe(60_000);
    expect(redeliveryDelayMs(1_000_000)).toBe(60_000);
  });

  it('should wait one second when the delivery count is missing or zero', () => {
    expect(redeliveryDelayMs(0)).toBe(1000);
    expect(redeliveryDelayMs(Number.NaN)).toBe(1000);
  });
});
