/**
 * AWS SigV4 signing of KMS JSON 1.1 requests for the load generator.
 *
 * autocannon's setupRequest hook is synchronous and @smithy/signature-v4's sign() returns a promise, so the hot
 * path signs with node:crypto here; `assertSameAsSmithy` proves at start-up that this signer produces exactly the
 * Authorization header @smithy/signature-v4 produces for the same request, so every request is validly signed.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface EncryptRequest {
  host: string;
  body: Buffer;
}

const SERVICE = 'kms';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET = 'TrentService.Encrypt';

/** The body of a KMS Encrypt request: 4 KiB of plaintext by default, an encryption context bound as AAD. */
export function encryptBody(keyId: string, plaintextBytes = 4096): Buffer {
  const plaintext = Buffer.alloc(plaintextBytes);
  for (let i = 0; i < plaintext.length; i++) plaintext[i] = (i * 31 + 7) & 0xff;
  return Buffer.from(
    JSON.stringify({
      KeyId: keyId,
      Plaintext: plaintext.toString('base64'),
      EncryptionContext: { purpose: 'bench', tenant: 'bench-tenant' },
    }),
  );
}

function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Headers of a signed Encrypt request (header names as sent; autocannon writes Content-Length with the same value). */
export function signEncrypt(
  creds: SigningCredentials,
  req: EncryptRequest,
  now = new Date(),
): Record<string, string> {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {
    'Content-Length': String(req.body.length),
    'Content-Type': CONTENT_TYPE,
    Host: req.host,
    'X-Amz-Date': date,
    'X-Amz-Target': TARGET,
  };
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const signedHeaders = names.join(';');
  const canonical = [
    'POST',
    '/',
    '',
    ...names.map((n) => `${n}:${lower[n]}`),
    '',
    signedHeaders,
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const scope = `${day}/${creds.region}/${SERVICE}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const signature = createHmac('sha256', signingKey(creds, day)).update(toSign).digest('hex');
  headers['Authorization'] =
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

const keyCache = new Map<string, Buffer>();

/** The derived signing key changes once a day; like the AWS SDKs, keep it. */
function signingKey(creds: SigningCredentials, day: string): Buffer {
  const id = `${creds.secretAccessKey}/${day}/${creds.region}`;
  let key = keyCache.get(id);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${creds.secretAccessKey}`).update(day).digest();
    const kRegion = createHmac('sha256', kDate).update(creds.region).digest();
    const kService = createHmac('sha256', kRegion).update(SERVICE).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    keyCache.set(id, key);
  }
  return key;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** Signs one request with both signers at the same instant; throws unless the Authorization headers are identical. */
export async function assertSameAsSmithy(creds: SigningCredentials, req: EncryptRequest): Promise<void> {
  const now = new Date();
  const ours = signEncrypt(creds, req, now);
  const smithy = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service: SERVICE,
    sha256: Sha256,
    applyChecksum: false,
  });
  const headers = Object.fromEntries(
    Object.entries(ours).filter(([k]) => k !== 'Authorization' && k !== 'X-Amz-Date'),
  );
  const signed = await smithy.sign(
    new HttpRequest({ method: 'POST', hostname: req.host.split(':')[0], path: '/', headers, body: req.body }),
    {
      signingDate: now,
    },
  );
  const theirs = signed.headers['authorization'] ?? signed.headers['Authorization'];
  if (theirs !== ours['Authorization']) {
    throw new Error(
      `bench signer disagrees with @smithy/signature-v4:\n ours:   ${ours['Authorization']}\n smithy: ${theirs}`,
    );
  }
}
