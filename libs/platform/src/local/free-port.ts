import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports this process has handed out already: never handed out twice. */
const handedOut = new Set<number>();
const LOWEST = 20_000;
const ATTEMPTS = 50;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server the caller starts next.
 *
 * It is taken below the kernel's ephemeral range (net.ipv4.ip_local_port_range), so the outgoing connections of
 * the processes starting meanwhile (a NATS client, an HTTP client) cannot be given it before the caller binds it:
 * only another listener can, which is rare. Never the same port twice in one process. Where the range is unknown or
 * leaves no room, the kernel's choice (bind to port 0) is used.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  if (below !== undefined && below - LOWEST >= 1000) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
      if (handedOut.has(port)) continue;
      if ((await tryBind(port)) !== undefined) return keep(port);
    }
  }
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await tryBind(0);
    if (port !== undefined && !handedOut.has(port)) return keep(port);
  }
  throw new Error('no free TCP port on 127.0.0.1');
}

function keep(port: number): number {
  handedOut.add(port);
  return port;
}

function ephemeralRangeStart(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 && low <= 65535 ? low : undefined;
  } catch {
    return undefined;
  }
}

/** Binds and closes the port (0: the kernel's choice); the port, or undefined when it was taken. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolve(undefined) : reject(e),
    );
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket on 127.0.0.1'));
        return;
      }
      const bound = address.port;
      server.close((err) => (err ? reject(err) : resolve(bound)));
    });
  });
}
