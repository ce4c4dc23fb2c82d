/**
 * Micro-benchmark (not a test): SigV4Verifier.verify throughput on KMS-shaped requests.
 *
 *   cd /work/main
 *   npx tsc apps/gateway/src/auth/sigv4/sigv4.bench.ts --outDir dist/sigv4-bench --rootDir apps/gateway/src/auth/sigv4 \
 *     --module nodenext --moduleResolution nodenext --target es2023 --skipLibCheck --types node
 *   node dist/sigv4-bench/sigv4.bench.js
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import { type SigV4Request, SigV4Verifier } from './sigv4-verifier.js';

const ITERATIONS = 20_000;
const ACCESS_KEY_ID = 'AKIDBENCHEXAMPLE';
const SECRET = 'benchSecretKeyExample/K7MDENG+bPxRfiCYEXAMPLE';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

async function signedRequest(applyChecksum: boolean, bodyBytes: number): Promise<SigV4Request> {
  const body = Buffer.from(
    JSON.stringify({ KeyId: 'alias/bench', Plaintext: Buffer.alloc(bodyBytes, 7).toString('base64') }),
  );
  const signer = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    region: 'us-east-1',
    service: 'kms',
    sha256: Sha256,
    applyChecksum,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.Encrypt',
        'content-length': String(body.length),
        host: '127.0.0.1:8080',
        'user-agent': 'aws-sdk-js/3.1160.0',
        'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
      },
      body,
    }),
    { signingDate: new Date() },
  );
  return { method: 'POST', path: '/', headers: { ...(signed.headers as Record<string, string>) }, body };
}

async function run(label: string, req: SigV4Request): Promise<void> {
  const verifier = new SigV4Verifier({
    region: 'us-east-1',
    service: 'kms',
    lookupSecret: async (id) => (id === ACCESS_KEY_ID ? { secretAccessKey: SECRET } : undefined),
  });
  for (let i = 0; i < 500; i++) {
    await verifier.verify(req);
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    await verifier.verify(req);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = Math.round(ITERATIONS / seconds);
  console.log(`${label}: ${ITERATIONS} verifications in ${seconds.toFixed(2)} s = ${perSecond} verifies/s`);
}

async function main(): Promise<void> {
  await run('sdk-v3 style, 4 KiB plaintext, x-amz-content-sha256', await signedRequest(true, 4096));
  await run('no x-amz-content-sha256, 4 KiB plaintext', await signedRequest(false, 4096));
  await run('sdk-v3 style, 64 B plaintext', await signedRequest(true, 64));
}

void main();
