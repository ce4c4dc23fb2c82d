/**
 * The storage service's S3 API for the e2e suites: Debian's aws cli (`aws s3` / `aws s3api`), raw SigV4-signed
 * requests over a bare socket (to send what no SDK sends: a body shorter than its Content-Length, a slow body), and
 * small helpers (digests, S3 errors as code and status, polling).
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, TestPlatform } from '@symbolon/testing';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type Socket, connect } from 'node:net';

import { AWS_CLI, type CliResult } from './clients.js';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
export const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
export const md5Base64 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('base64');

/** The SHA-256 of a file, read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** The SHA-256 of a stream's bytes (an SDK GetObject body), read to the end. */
export async function sha256OfStream(body: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of body) hash.update(piece);
  return hash.digest('hex');
}

/** A bucket name of its own for one test: lower case, 3-63 characters. */
export function bucketName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** Creates a bucket named after `prefix` with the client; its name. */
export async function newBucket(client: S3Client, prefix: string): Promise<string> {
  const bucket = bucketName(prefix);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** S3's ETag of a multipart object: the MD5 of the parts' MD5s, then `-<parts>` (quoted). */
export function multipartEtag(parts: Uint8Array[]): string {
  const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${md5Hex(md5s)}-${parts.length}"`;
}

/** Runs `/usr/bin/aws --endpoint-url <s3Endpoint> --output json <args>` (s3 or s3api), with no user config. */
export function awsS3(
  platform: TestPlatform,
  args: string[],
  opts: { credentials?: Credentials; timeoutMs?: number } = {},
): Promise<CliResult> {
  const c = opts.credentials ?? platform.credentials;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_DEFAULT_REGION: c.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    // One attempt: a refusal is the answer under test, not something to retry.
    AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ['--endpoint-url', platform.s3Endpoint, '--output', 'json', ...args],
      { env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Like awsS3, but fails with the cli's stderr unless it exits 0; the parsed JSON output ({} when there is none). */
export async function awsS3Json(
  platform: TestPlatform,
  args: string[],
  opts: { credentials?: Credentials } = {},
): Promise<Record<string, unknown>> {
  const r = await awsS3(platform, args, opts);
  if (r.code !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
}

/**
 * The S3 error code the aws cli reports (`An error occurred (NoSuchKey) when calling ...`), or undefined when it
 * exited 0 or printed no such line. For HEAD requests (no body) the cli reports the HTTP status as the code.
 */
export function cliErrorCode(r: CliResult): string | undefined {
  if (r.code === 0) return undefined;
  return /An error occurred \(([^)]+)\) when calling/.exec(r.stderr)?.[1];
}

/** An @aws-sdk/client-s3 refusal as S3 code (the error's name) and HTTP status. */
export interface S3Refusal {
  code: string;
  status: number | undefined;
}

/** Awaits a call that must be refused; its code and status (fails the test when it succeeds). */
export async function refusalOf(call: Promise<unknown>): Promise<S3Refusal> {
  try {
    await call;
  } catch (e) {
    const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return { code: err.Code ?? err.name ?? 'unknown', status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the S3 call to be refused, it succeeded');
}

/** Polls `check` every 250 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface RawS3Request {
  method: string;
  /** Path-style, already percent-encoded: `/bucket/key`. */
  path: string;
  headers?: Record<string, string>;
  /** x-amz-content-sha256: a hex digest, or UNSIGNED-PAYLOAD (the default). */
  payloadHash?: string;
  credentials?: Credentials;
}

export interface RawS3Response {
  status: number;
  /** The S3 error code of an error document, when the answer is one. */
  code: string | undefined;
  text: string;
}

/** The request's head (request line and headers, SigV4-signed for service s3), ready to write on a socket. */
export async function signedHead(platform: TestPlatform, r: RawS3Request): Promise<string> {
  const url = new URL(platform.s3Endpoint);
  const creds = r.credentials ?? platform.credentials;
  const request = new HttpRequest({
    method: r.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: r.path,
    headers: {
      host: url.host,
      'x-amz-content-sha256': r.payloadHash ?? 'UNSIGNED-PAYLOAD',
      ...r.headers,
    },
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service: 's3',
    sha256: Sha256,
    // S3 signs the path as sent, without encoding it a second time.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = (await signer.sign(request)) as HttpRequest;
  const lines = [`${r.method} ${r.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(signed.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A bare TCP connection to the S3 endpoint; `answer` resolves with everything read until the server closes. */
export async function openS3Socket(
  platform: TestPlatform,
): Promise<{ socket: Socket; answer: Promise<string> }> {
  const url = new URL(platform.s3Endpoint);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const answer = new Promise<string>((resolve) => {
    socket.once('close', () => resolve(text));
    // A reset (the server died, or closed mid-body) ends the answer too.
    socket.on('error', () => undefined);
  });
  return { socket, answer };
}

/** Parses the first HTTP response of a socket's bytes: status and S3 error code; status 0 when there was none. */
export function parseRawAnswer(text: string): RawS3Response {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  return {
    status: status ? Number(status) : 0,
    code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1],
    text,
  };
}
