import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type DevTls, ensureDevTls } from '../../src/local/dev-tls.js';
import { type NatsServer, startNatsServer } from '../../src/local/nats-server.js';
import { natsConnectionOptions } from '../../src/messaging/nats.js';

jest.setTimeout(60_000);

const TLS_ENV = ['SYMBOLON_NATS_TLS_CA_FILE', 'SYMBOLON_NATS_TLS_CERT_FILE', 'SYMBOLON_NATS_TLS_KEY_FILE'];

describe('nats-server with mutual TLS', () => {
  let dir: string;
  let tls: DevTls;
  let server: NatsServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-tls-'));
    tls = ensureDevTls(join(dir, 'tls'), ['client']);
    server = await startNatsServer({
      dir: join(dir, 'nats'),
      jetstream: false,
      tls: { certFile: tls.server.cert, keyFile: tls.server.key, caFile: tls.ca, verify: true },
    });
  });

  afterAll(async () => {
    for (const k of TLS_ENV) delete process.env[k];
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should carry a request over TLS when the client presents a certificate of the CA', async () => {
    process.env['SYMBOLON_NATS_TLS_CA_FILE'] = tls.ca;
    process.env['SYMBOLON_NATS_TLS_CERT_FILE'] = tls.clients['client']!.cert;
    process.env['SYMBOLON_NATS_TLS_KEY_FILE'] = tls.clients['client']!.key;
    expect(server.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect(natsConnectionOptions(server.url, 'tls-test'));
    try {
      const sub = nc.subscribe('echo');
      void (async () => {
        for await (const m of sub) m.respond(m.data);
      })();
      expect((await nc.request('echo', 'over tls', { timeout: 2000 })).string()).toBe('over tls');
      expect(nc.info?.tls_required ?? nc.info?.tls_verify).toBeTruthy();
    } finally {
      await nc.close();
    }
  });

  it('should refuse a client that presents no certificate when the server verifies them', async () => {
    process.env['SYMBOLON_NATS_TLS_CA_FILE'] = tls.ca;
    delete process.env['SYMBOLON_NATS_TLS_CERT_FILE'];
    delete process.env['SYMBOLON_NATS_TLS_KEY_FILE'];
    await expect(
      connect({
        ...natsConnectionOptions(server.url, 'tls-test'),
        maxReconnectAttempts: 0,
        reconnect: false,
      }),
    ).rejects.toThrow(/bad certificate|ECONNRESET/); // the TLS alert, or a reset when the server closes first
  });
});
