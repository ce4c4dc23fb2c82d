import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WEB_APP_CSP, registerWebApp } from './web-app.js';

const HTML = '<!doctype html><script type="module" src="app.js"></script>';
const SCRIPT = 'console.log("page");';

let dir: string;
let app: Server;

interface Server {
  /** Requests over a real socket (Fastify's inject needs a CommonJS `cookie` that ESM Jest cannot load). */
  request(method: string, path: string, body?: string): Promise<Response>;
  close(): Promise<void>;
}

/** A server as the gateway's: the KMS endpoint on POST /, /health, and the page's routes added beside them. */
async function server(webDir: string): Promise<Server> {
  const f = Fastify();
  f.post('/', async () => ({ kms: true }));
  f.get('/health', async () => ({ status: 'ok' }));
  registerWebApp(f, webDir);
  const url = await f.listen({ host: '127.0.0.1', port: 0 });
  return {
    request: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
      }),
    close: () => f.close(),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-web-'));
  writeFileSync(join(dir, 'index.html'), HTML);
  writeFileSync(join(dir, 'app.js'), SCRIPT);
  writeFileSync(join(dir, 'secret.txt'), 'not served');
  app = await server(dir);
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerWebApp', () => {
  it('should serve the page as HTML under a strict content security policy when /app/ is requested', async () => {
    const res = await app.request('GET', '/app/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(HTML);
  });

  it('should serve the bundle as JavaScript when /app/app.js is requested', async () => {
    const res = await app.request('GET', '/app/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    expect(await res.text()).toBe(SCRIPT);
  });

  it('should allow scripts and connections from the own origin only when the policy is read', () => {
    const directives = WEB_APP_CSP.split('; ');
    expect(directives).toContain("default-src 'none'");
    expect(directives).toContain("script-src 'self'");
    expect(directives).toContain("connect-src 'self'");
    expect(WEB_APP_CSP).not.toContain('unsafe');
  });

  it.each(['/app', '/app/secret.txt', '/app/index.html', '/web/app.js'])(
    'should answer 404 when %s is requested',
    async (url) => {
      const res = await app.request('GET', url);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('not served');
    },
  );

  it('should leave the KMS endpoint and /health as they were when the page is registered', async () => {
    const kms = await app.request('POST', '/', '{}');
    expect(await kms.json()).toEqual({ kms: true });
    expect(kms.headers.get('content-security-policy')).toBeNull();
    const health = await app.request('GET', '/health');
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('should answer 404 without a file name when the page was not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'symbolon-web-empty-'));
    const bare = await server(empty);
    try {
      for (const url of ['/app/', '/app/app.js']) {
        const res = await bare.request('GET', url);
        expect(res.status).toBe(404);
        expect(await res.text()).not.toContain(empty);
      }
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
