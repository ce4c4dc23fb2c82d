import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type NatsServer, startNatsServer } from '../../src/local/nats-server.js';
import { natsConnectionOptions } from '../../src/messaging/nats.js';

jest.setTimeout(60_000);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(dir: string): Record<string, string> {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=symbolon-test-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  for (const [name, san] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'subjectAltName=DNS:coordinator'],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      writeExt(dir, name, san),
      '-out',
      f(`${name}.pem`),
    );
  }
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

function writeExt(dir: string, name: string, san: string): string {
  const file = join(dir, `${name}.ext`);
  execFileSync('sh', ['-c', `printf '%s\\n' "${san}" > "${file}"`]);
  return file;
}

const TLS_ENV = ['SYMBOLON_NATS_TLS_CA_FILE', 'SYMBOLON_NATS_TLS_CERT_FILE', 'SYMBOLON_NATS_TLS_KEY_FILE'];

describe('nats-server with mutual TLS', () => {
  let dir: string;
  let certs: Record<string, string>;
  let server: NatsServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-tls-'));
    certs = makeCertificates(dir);
    server = await startNatsServer({
      dir: join(dir, 'nats'),
      jetstream: false,
      tls: {
        certFile: certs['serverCert']!,
        keyFile: certs['serverKey']!,
        caFile: certs['ca']!,
        verify: true,
      },
    });
  });

  afterAll(async () => {
    for (const k of TLS_ENV) delete process.env[k];
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should carry a request over TLS when the client presents a certificate of the CA', async () => {
    process.env['SYMBOLON_NATS_TLS_CA_FILE'] = certs['ca'];
    process.env['SYMBOLON_NATS_TLS_CERT_FILE'] = certs['clientCert'];
    process.env['SYMBOLON_NATS_TLS_KEY_FILE'] = certs['clientKey'];
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
    process.env['SYMBOLON_NATS_TLS_CA_FILE'] = certs['ca'];
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
