import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type NatsServer, startNatsServer } from '@symbolon/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AuditPublisher } from '@symbolon/platform';

jest.setTimeout(60_000);

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('AuditPublisher', () => {
  let dir: string;
  let nats: NatsServer;
  let running = false;
  const publisher = new AuditPublisher();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-gateway-audit-'));
    nats = await startNatsServer({ dir });
    running = true;
    await publisher.start(nats.url);
  });

  afterAll(async () => {
    // Draining waits for the server: bring it back if a failed test left it down.
    if (!running) nats = await startNatsServer({ dir, port: nats.port });
    await publisher.stop().catch(() => undefined);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should report not connected while NATS is down and connected again when it is back', async () => {
    expect(publisher.connected()).toBe(true);
    await nats.stop();
    running = false;
    await until(() => !publisher.connected());
    nats = await startNatsServer({ dir, port: nats.port });
    running = true;
    await until(() => publisher.connected());
  });
});
