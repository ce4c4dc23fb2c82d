import { createServer } from 'node:net';

import { freePort } from './free-port.js';

describe('freePort', () => {
  it('should return a port that can be bound on 127.0.0.1 when called', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThanOrEqual(65535);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
