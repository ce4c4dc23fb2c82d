/** The load generator: autocannon in this process, every request freshly SigV4-signed in its setupRequest hook. */
import { createRequire } from 'node:module';

import { type SigningCredentials, encryptBody, signEncrypt } from './sign.js';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}

type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  url: string;
  keyId: string;
  credentials: SigningCredentials;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
}

/** Runs Encrypt load against url for durationS seconds. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const host = new URL(opts.url).host;
  const body = encryptBody(opts.keyId);
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'POST',
          path: '/',
          body,
          headers: signEncrypt(opts.credentials, { host, body }),
        }),
      },
    ],
  });
  return {
    reqPerSec: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** One signed Encrypt with fetch: proves the target answers 200 with a CiphertextBlob before it is loaded. */
export async function smokeEncrypt(opts: Pick<LoadOptions, 'url' | 'keyId' | 'credentials'>): Promise<void> {
  const host = new URL(opts.url).host;
  const body = encryptBody(opts.keyId);
  const headers = signEncrypt(opts.credentials, { host, body });
  delete headers['Content-Length'];
  delete headers['Host'];
  const res = await fetch(opts.url, {
    method: 'POST',
    headers,
    body: new Uint8Array(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (
    res.status !== 200 ||
    typeof (JSON.parse(text) as { CiphertextBlob?: unknown }).CiphertextBlob !== 'string'
  ) {
    throw new Error(`smoke Encrypt to ${opts.url} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}
