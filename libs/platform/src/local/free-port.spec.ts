import { readFileSync } from 'node:fs';
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

describe('freePort, many at once', () => {
  it('should hand out a port below the kernel ephemeral range and never the same port twice when called 200 times', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    expect(new Set(ports).size).toBe(200);
    for (const p of ports) expect(p).toBeLessThan(low);
  });
});
