import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { jest } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { freePort } from '../../src/local/free-port.js';
import { type NatsServer, startNatsServer } from '../../src/local/nats-server.js';
import { processIsAlive, trackedPids } from '../../src/local/process.js';

jest.setTimeout(60_000);

describe('startNatsServer', () => {
  let dir: string;
  const started: NatsServer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-nats-'));
  });

  afterAll(async () => {
    for (const server of started) await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(port?: number): Promise<NatsServer> {
    const t0 = performance.now();
    const server = await startNatsServer({ dir, port });
    console.info(`nats-server ready in ${Math.round(performance.now() - t0)} ms`);
    started.push(server);
    return server;
  }

  it('should keep JetStream messages when the server is restarted on the same dir', async () => {
    const first = await start();
    expect(first.url).toBe(`nats://127.0.0.1:${first.port}`);
    expect(trackedPids()).toContain(first.pid);
    expect(existsSync(join(dir, 'nats-server.conf'))).toBe(true);

    let nc = await connect({ servers: first.url });
    let jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'LOCALTEST', subjects: ['local.test.>'] });
    const ack = await jsm.jetstream().publish('local.test.one', new TextEncoder().encode('survives'));
    expect(ack.seq).toBe(1);
    await nc.close();

    await first.stop();
    expect(processIsAlive(first.pid)).toBe(false);
    expect(trackedPids()).not.toContain(first.pid);

    const second = await start();
    expect(second.pid).not.toBe(first.pid);
    nc = await connect({ servers: second.url });
    jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('LOCALTEST');
    expect(info.state.messages).toBe(1);
    const msg = await jsm.streams.getMessage('LOCALTEST', { seq: 1 });
    expect(msg?.subject).toBe('local.test.one');
    expect(new TextDecoder().decode(msg?.data)).toBe('survives');
    await nc.close();
    await second.stop();
  });

  it('should resolve immediately when stop is called twice', async () => {
    const server = await start();
    await server.stop();
    await expect(server.stop()).resolves.toBeUndefined();
  });

  it('should fail with the last log lines when the port is already taken', async () => {
    const port = await freePort();
    const holder = await start(port);
    const otherDir = await mkdtemp(join(tmpdir(), 'symbolon-nats-busy-'));
    try {
      await expect(startNatsServer({ dir: otherDir, port })).rejects.toThrow(
        /nats-server on 127\.0\.0\.1:\d+ exited before it was ready[\s\S]*last lines of[\s\S]*address already in use/,
      );
    } finally {
      await holder.stop();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
