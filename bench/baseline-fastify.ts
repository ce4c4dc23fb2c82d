/**
 * Baseline A: one plain Fastify process. Parses the KMS Encrypt request, verifies nothing, AES-256-GCM in memory.
 * Env: BENCH_PORT. Prints `ready` when listening.
 */
import Fastify from 'fastify';

import { type EncryptFields, encryptReply } from './aes-gcm.js';

const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (_req, body, done) => {
  try {
    done(null, JSON.parse(body as string));
  } catch (e) {
    done(e as Error, undefined);
  }
});
app.post('/', async (req, reply) => {
  if (req.headers['x-amz-target'] !== 'TrentService.Encrypt')
    return reply.status(400).send({ __type: 'UnknownOperationException' });
  return reply
    .header('content-type', 'application/x-amz-json-1.1')
    .send(JSON.stringify(encryptReply(req.body as EncryptFields)));
});
await app.listen({ host: '127.0.0.1', port: Number(process.env['BENCH_PORT']) });
console.log('ready');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
