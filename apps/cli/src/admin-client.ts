import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFileSync } from 'node:fs';

/** The credentials file the platform writes on first start (and the fields of it this client needs). */
export interface CredentialsFile {
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /** The account (12 digits) the keys belong to: what `audit export-chain` names in its header. */
  accountId?: string;
}

export interface AdminResponse {
  status: number;
  body: Record<string, unknown>;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export function readCredentials(file: string): CredentialsFile {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CredentialsFile>;
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new Error(`${file} has no accessKeyId and secretAccessKey`);
  }
  return parsed as CredentialsFile;
}

/** One `SymbolonAdmin.<operation>` request, JSON 1.1 over HTTP, SigV4-signed for the `kms` service like AWS clients. */
export async function callAdmin(opts: {
  endpoint: string;
  credentials: CredentialsFile;
  region: string;
  operation: string;
  body: Record<string, unknown>;
  /** The target prefix: `SymbolonAdmin` (platform administration, the default) or `Symbolon` (key owners' own). */
  service?: 'SymbolonAdmin' | 'Symbolon';
}): Promise<AdminResponse> {
  const url = new URL(opts.endpoint);
  const payload = JSON.stringify(opts.body);
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${opts.service ?? 'SymbolonAdmin'}.${opts.operation}`,
    },
    body: payload,
  });
  const signer = new SignatureV4({
    service: 'kms',
    region: opts.region,
    credentials: {
      accessKeyId: opts.credentials.accessKeyId,
      secretAccessKey: opts.credentials.secretAccessKey,
    },
    sha256: Sha256,
  });
  const signed = await signer.sign(request);
  const res = await fetch(new URL(signed.path, opts.endpoint), {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host')),
    body: payload,
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { __type: 'InvalidResponse', message: `HTTP ${res.status}` };
  }
  return { status: res.status, body };
}
