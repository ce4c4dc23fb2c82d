import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The browser page (web/README.md) on the gateway's own origin, so that its KMS calls need no CORS: GET /app/ and
 * GET /app/app.js from the folder scripts/build-web.mjs writes, and nothing else (any other path stays Nest's 404).
 * The policy lets the page run only its own script and talk only to its own origin.
 */
export const WEB_APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/web, seen from this file compiled to dist/apps/gateway/src/web/. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../../web/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/app/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

/** Adds the page's two routes to the gateway's Fastify instance (before it listens). */
export function registerWebApp(fastify: Pick<FastifyInstance, 'get'>, dir: string = DEFAULT_WEB_DIR): void {
  // Files are read once, on first use: dist/ does not change under a running gateway. A missing file is not cached.
  const cache = new Map<string, Buffer>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    fastify.get(path, async (_req, reply) => {
      let body = cache.get(file);
      if (!body) {
        try {
          body = await readFile(join(dir, file));
          cache.set(file, body);
        } catch {
          return reply
            .code(404)
            .send({ statusCode: 404, message: 'The web page is not built here (scripts/build.sh).' });
        }
      }
      return reply
        .header('content-type', type)
        .header('content-security-policy', WEB_APP_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(body);
    });
  }
}
