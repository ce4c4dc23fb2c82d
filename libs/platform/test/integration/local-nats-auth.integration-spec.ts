import { connect } from '@nats-io/transport-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startNatsServer } from '../../src/local/nats-server.js';
import { natsConnectionOptions } from '../../src/messaging/nats.js';

describe('startNatsServer with auth', () => {
  it('should refuse a client without the password and accept one with it when auth is set', async () => {
    const server = await startNatsServer({
      dir: mkdtempSync(join(tmpdir(), 'nats-auth-')),
      auth: { user: 'symbolon', password: 'p4ssw0rd' },
    });
    try {
      expect(server.url).toBe(`nats://symbolon:p4ssw0rd@127.0.0.1:${server.port}`);
      await expect(connect({ servers: `nats://127.0.0.1:${server.port}`, reconnect: false })).rejects.toThrow(
        /Authorization/i,
      );
      await expect(
        connect({
          ...natsConnectionOptions(`nats://symbolon:wrong@127.0.0.1:${server.port}`, 't'),
          reconnect: false,
        }),
      ).rejects.toThrow(/Authorization/i);
      const nc = await connect({ ...natsConnectionOptions(server.url, 'test'), reconnect: false });
      await nc.flush();
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
