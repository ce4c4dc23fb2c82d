/**
 * Real clients for the end-to-end tests: raw signed HTTP (fetch + @smithy/signature-v4) and Debian's aws cli.
 * Plaintext passed to the cli goes through temp files, never through the command line.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, TestPlatform } from '@symbolon/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's aws cli (the `aws` first on PATH is a different shim). */
export const AWS_CLI = '/usr/bin/aws';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export interface RawResponse {
  status: number;
  contentType: string | null;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: Record<string, unknown> | undefined;
  text: string;
}

export interface RawRequestOptions {
  /** X-Amz-Target operation name (without `TrentService.`); null sends no X-Amz-Target header. */
  target: string | null;
  /** A JSON value (serialised) or the exact body bytes. */
  body?: unknown;
  rawBody?: string | Buffer;
  /** false sends the request unsigned (no Authorization header). */
  sign?: boolean;
  credentials?: Credentials;
  signingDate?: Date;
  /** Changes the signature after signing. */
  tamperSignature?: boolean;
  /** Sends this body instead of the signed one. */
  bodyAfterSigning?: string;
  /** The Content-Type header (signed); application/x-amz-json-1.1 by default. */
  contentType?: string;
}

/** Sends one AWS JSON 1.1 request to the platform's endpoint, signed with SigV4 unless told otherwise. */
export async function rawKms(platform: TestPlatform, opts: RawRequestOptions): Promise<RawResponse> {
  const url = new URL(platform.endpoint);
  const creds = opts.credentials ?? platform.credentials;
  const body: string | Buffer = opts.rawBody ?? JSON.stringify(opts.body ?? {});
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': opts.contentType ?? 'application/x-amz-json-1.1',
  };
  if (opts.target !== null) headers['x-amz-target'] = `TrentService.${opts.target}`;
  let request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers,
    body,
  });
  if (opts.sign !== false) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      region: creds.region,
      service: 'kms',
      sha256: Sha256,
    });
    request = (await signer.sign(request, { signingDate: opts.signingDate ?? new Date() })) as HttpRequest;
    if (opts.tamperSignature) {
      const auth = request.headers['authorization']!;
      const sig = auth.slice(auth.lastIndexOf('=') + 1);
      const flipped = (sig[0] === '0' ? '1' : '0') + sig.slice(1);
      request.headers['authorization'] = auth.slice(0, auth.length - sig.length) + flipped;
    }
  }
  const sendHeaders = { ...request.headers };
  delete sendHeaders['host'];
  const sent = opts.bodyAfterSigning ?? (request.body as string | Buffer);
  const res = await fetch(platform.endpoint, {
    method: 'POST',
    headers: sendHeaders,
    body: typeof sent === 'string' ? sent : new Uint8Array(sent),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), json, text };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `/usr/bin/aws --endpoint-url <endpoint> kms ...` with the platform's credentials and no user config. */
export function awsKms(platform: TestPlatform, args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    AWS_ACCESS_KEY_ID: platform.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: platform.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: platform.credentials.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ['--endpoint-url', platform.endpoint, '--output', 'json', 'kms', ...args],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Like awsKms, but fails with the cli's stderr unless it exits 0; returns the parsed JSON output. */
export async function awsKmsJson(platform: TestPlatform, args: string[]): Promise<Record<string, unknown>> {
  const r = await awsKms(platform, args);
  if (r.code !== 0) throw new Error(`aws kms ${args[0]} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A private temp folder for `fileb://` inputs, removed by `dispose`. */
export class BlobFiles {
  private readonly dir = mkdtempSync(join(tmpdir(), 'symbolon-e2e-blobs-'));
  private n = 0;

  /** Writes bytes to a new file and returns its `fileb://` URL. */
  fileb(bytes: Uint8Array): string {
    const file = join(this.dir, `blob-${this.n++}`);
    writeFileSync(file, bytes, { mode: 0o600 });
    return `fileb://${file}`;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): Buffer {
    return readFileSync(join(this.dir, name));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const unb64 = (s: unknown): Buffer => Buffer.from(String(s), 'base64');
