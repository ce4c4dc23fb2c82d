import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { natsServerConfig, natsServerPath, startNatsServer } from './nats-server.js';
import { runCommand } from './process.js';

describe('natsServerConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-nats-conf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should listen on loopback only with monitoring off when jetstream is on', async () => {
    const text = natsServerConfig({ dir, port: 4333, jetstream: true });
    expect(text).toContain('listen: "127.0.0.1:4333"');
    expect(text).toContain(`store_dir: "${join(dir, 'jetstream')}"`);
    expect(text).not.toMatch(/https?(_port)?\s*:/);
    const file = join(dir, 'nats.conf');
    await writeFile(file, text);
    await expect(runCommand(natsServerPath(), ['-t', '-c', file])).resolves.toBeDefined();
  });

  it('should require the user and password when auth is given', () => {
    const text = natsServerConfig({
      dir: '/d',
      port: 4222,
      jetstream: false,
      auth: { user: 'u', password: 'p1' },
    });
    expect(text).toContain('authorization {\n  users = [\n{ user: "u", password: "p1" }\n  ]\n}');
  });

  it('should list further users after the password user when users are given', () => {
    const text = natsServerConfig({
      dir: '/d',
      port: 4222,
      jetstream: false,
      auth: { user: 'u', password: 'p1' },
      users: ['{ nkey: "UA" }', '{ nkey: "UB" }'],
    });
    expect(text).toContain('  users = [\n{ user: "u", password: "p1" }\n{ nkey: "UA" }\n{ nkey: "UB" }\n  ]');
  });

  it('should write a tls block that requires client certificates when tls with verify is given', () => {
    const text = natsServerConfig({
      dir: '/d',
      port: 4222,
      jetstream: false,
      tls: { certFile: '/c.pem', keyFile: '/k.pem', caFile: '/ca.pem', verify: true },
    });
    expect(text).toContain(
      'tls {\n  cert_file: "/c.pem"\n  key_file: "/k.pem"\n  ca_file: "/ca.pem"\n  verify: true\n}',
    );
  });

  it('should leave the jetstream block out when jetstream is off', () => {
    expect(natsServerConfig({ dir, port: 4333, jetstream: false })).not.toContain('jetstream');
  });
});

describe('natsServerPath', () => {
  it('should find the installed nats-server when it is on PATH or in /usr/sbin', () => {
    expect(natsServerPath()).toMatch(/\/nats-server$/);
  });
});

describe('startNatsServer', () => {
  it('the nats dir has no quote, backslash or newline', async () => {
    await expect(startNatsServer({ dir: '/tmp/bad"dir' })).rejects.toThrow(
      'the nats dir has no quote, backslash or newline',
    );
  });

  it('TLS file paths have no quote, backslash or newline', async () => {
    await expect(
      startNatsServer({
        dir: '/tmp/x',
        tls: { certFile: '/tmp/a"b.pem', keyFile: '/tmp/k.pem', caFile: '/tmp/ca.pem', verify: true },
      }),
    ).rejects.toThrow('TLS file paths have no quote, backslash or newline');
  });

  it('the nats port is an integer from 1 to 65535', async () => {
    await expect(startNatsServer({ dir: '/tmp/x', port: 70000 })).rejects.toThrow(
      'the nats port is an integer from 1 to 65535',
    );
  });

  it('NATS credentials are plain tokens of letters, digits, - and _', async () => {
    await expect(
      startNatsServer({ dir: '/tmp/x', auth: { user: 'sym', password: 'has"quote' } }),
    ).rejects.toThrow('NATS credentials are plain tokens of letters, digits, - and _');
  });
});
