import { createHash, timingSafeEqual } from 'node:crypto';

import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import {
  INVALID_TOKEN_MESSAGE,
  MISSING_TOKEN_MESSAGE,
  SIGNATURE_MISMATCH_MESSAGE,
  SigV4Error,
  type SigV4ErrorType,
} from './errors/sigv4.error.js';
import { type ParsedAuthorization, parseAuthorizationHeader } from './parse-authorization-header.js';

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_CACHED_SIGNERS = 1024;

export interface SigV4Secret {
  secretAccessKey: string;
  /** Set for temporary credentials: the request must then carry this exact X-Amz-Security-Token. */
  sessionToken?: string;
}

export interface SigV4VerifierOptions {
  /** The region this gateway answers for, e.g. 'us-east-1'. */
  region: string;
  /** The signing name of the service, 'kms' for the KMS API. */
  service: string;
  /** Largest accepted distance between X-Amz-Date and now; 15 minutes by default, as AWS. */
  maxSkewMs?: number;
  /** Clock in epoch milliseconds; Date.now by default. */
  now?: () => number;
  /** How many per-access-key signers to keep; 1024 by default. */
  maxCachedSigners?: number;
  /** Resolves an access key id to its secret, or undefined when the key is unknown or disabled. */
  lookupSecret: (accessKeyId: string) => Promise<SigV4Secret | undefined>;
}

export interface SigV4Request {
  method: string;
  /** The request path exactly as on the wire (still percent-encoded), without the query string. */
  path: string;
  query?: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigV4Identity {
  accessKeyId: string;
}

/* A failed precondition is a programming error in the caller, not a client error: plain Error. */
function needs(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

/** sha256 for SignatureV4, backed by node:crypto through @smithy/hash-node. */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/* Headers the signer rewrites from its own inputs: a client that signed them cannot be checked by it. */
const UNVERIFIABLE_SIGNED_HEADERS = ['authorization', 'date'];

function fail(type: SigV4ErrorType, message: string): never {
  throw new SigV4Error(type, message);
}

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** X-Amz-Date (yyyyMMddTHHmmssZ) to a Date, or undefined when it is malformed or not a real instant. */
function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return formatAmzDate(date.getTime()) === value ? date : undefined;
}

function formatAmzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function formatSkew(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min.` : `${ms / 1000} sec.`;
}

/** Lower-cases header names; repeated values (array or different casing) are kept in order. */
function normaliseHeaders(headers: SigV4Request['headers']): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) {
      continue;
    }
    const key = name.toLowerCase();
    const values = out.get(key) ?? [];
    values.push(...(Array.isArray(value) ? value : [value]));
    out.set(key, values);
  }
  return out;
}

/** A header that may appear once only; undefined when absent. */
function single(headers: Map<string, string[]>, name: string): string | undefined {
  const values = headers.get(name);
  if (values === undefined || values.length === 0) {
    return undefined;
  }
  if (values.length > 1) {
    fail('IncompleteSignatureException', `The '${name}' header must appear only once.`);
  }
  return values[0];
}

/**
 * Verifies AWS Signature Version 4 (Authorization header form) on incoming requests. Signatures are
 * computed by @smithy/signature-v4 over a request rebuilt from the signed headers only, and compared
 * in constant time. Query-string (presigned) authentication is not accepted.
 */
export class SigV4Verifier {
  private readonly region: string;
  private readonly service: string;
  private readonly maxSkewMs: number;
  private readonly now: () => number;
  private readonly maxCachedSigners: number;
  private readonly lookupSecret: SigV4VerifierOptions['lookupSecret'];
  /** One signer per access key, least recently used first. */
  private readonly signers = new Map<string, { secretAccessKey: string; signer: SignatureV4 }>();

  constructor(options: SigV4VerifierOptions) {
    /* Precondition: region and service must be non-empty. */
    needs(options.region.length > 0 && options.service.length > 0, 'region and service must be non-empty');
    /* Precondition: maxSkewMs must be a positive number of milliseconds. */
    needs(
      options.maxSkewMs === undefined || (Number.isFinite(options.maxSkewMs) && options.maxSkewMs > 0),
      'maxSkewMs must be a positive number of milliseconds',
    );
    /* Precondition: maxCachedSigners must be a positive integer. */
    needs(
      options.maxCachedSigners === undefined ||
        (Number.isInteger(options.maxCachedSigners) && options.maxCachedSigners > 0),
      'maxCachedSigners must be a positive integer',
    );
    this.region = options.region;
    this.service = options.service;
    this.maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.now = options.now ?? Date.now;
    this.maxCachedSigners = options.maxCachedSigners ?? DEFAULT_MAX_CACHED_SIGNERS;
    this.lookupSecret = options.lookupSecret;
  }

  /** Resolves to the caller's access key id, or rejects with a `SigV4Error`. */
  async verify(req: SigV4Request): Promise<SigV4Identity> {
    const headers = normaliseHeaders(req.headers);
    const authorization = single(headers, 'authorization');
    if (authorization === undefined || authorization.trim() === '') {
      fail('MissingAuthenticationTokenException', MISSING_TOKEN_MESSAGE);
    }
    const auth = parseAuthorizationHeader(authorization);
    const signed = new Set(auth.signedHeaders);
    const amzDate = this.checkSignedHeaders(headers, signed);
    const signingDate = this.checkScopeAndTime(auth, amzDate);

    const secret = await this.lookupSecret(auth.accessKeyId);
    if (secret === undefined) {
      fail('UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    }
    this.checkSessionToken(headers, secret);
    this.checkPayloadHash(headers, req.body);

    const canonical: Record<string, string> = {};
    for (const name of signed) {
      /* SigV4: repeated values are trimmed and joined with commas; the signer collapses inner spaces. */
      canonical[name] = (headers.get(name) as string[]).map((v) => v.trim()).join(',');
    }
    const request = new HttpRequest({
      method: req.method,
      path: req.path,
      query: req.query ?? {},
      headers: canonical,
      body: req.body,
    });
    const signedRequest = await this.signerFor(auth.accessKeyId, secret.secretAccessKey).sign(request, {
      signingDate,
      signableHeaders: signed,
    });
    const expected = String(signedRequest.headers['authorization']);
    const computed = Buffer.from(
      expected.slice(expected.lastIndexOf('Signature=') + 'Signature='.length),
      'hex',
    );
    const provided = Buffer.from(auth.signature, 'hex');
    if (computed.length !== provided.length || !timingSafeEqual(computed, provided)) {
      fail('InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    }
    return { accessKeyId: auth.accessKeyId };
  }

  /** Checks that host and x-amz-date are signed and every signed header is present; returns X-Amz-Date. */
  private checkSignedHeaders(headers: Map<string, string[]>, signed: Set<string>): string {
    const amzDate = single(headers, 'x-amz-date');
    if (amzDate === undefined) {
      fail('IncompleteSignatureException', "Authorization requires the 'X-Amz-Date' header.");
    }
    for (const required of ['host', 'x-amz-date']) {
      if (!signed.has(required)) {
        fail('IncompleteSignatureException', `SignedHeaders must include '${required}'.`);
      }
    }
    for (const name of UNVERIFIABLE_SIGNED_HEADERS) {
      if (signed.has(name)) {
        fail('IncompleteSignatureException', `SignedHeaders must not include '${name}'.`);
      }
    }
    for (const name of signed) {
      if (!headers.has(name)) {
        fail('IncompleteSignatureException', `Signed header '${name}' is missing from the request.`);
      }
    }
    return amzDate;
  }

  /** Checks the credential scope against this gateway and X-Amz-Date against the clock. */
  private checkScopeAndTime(auth: ParsedAuthorization, amzDate: string): Date {
    const signingDate = parseAmzDate(amzDate);
    if (signingDate === undefined) {
      fail('IncompleteSignatureException', "X-Amz-Date must be in ISO-8601 basic format 'yyyyMMddTHHmmssZ'.");
    }
    if (auth.region !== this.region) {
      fail(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${auth.region}'.`,
      );
    }
    if (auth.service !== this.service) {
      fail('InvalidSignatureException', `Credential should be scoped to correct service: '${this.service}'.`);
    }
    if (auth.date !== amzDate.slice(0, 8)) {
      fail(
        'InvalidSignatureException',
        'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
          `'${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    const now = this.now();
    const skew = formatSkew(this.maxSkewMs);
    if (signingDate.getTime() < now - this.maxSkewMs) {
      fail(
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - this.maxSkewMs)} ` +
          `(${formatAmzDate(now)} - ${skew})`,
      );
    }
    if (signingDate.getTime() > now + this.maxSkewMs) {
      fail(
        'InvalidSignatureException',
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + this.maxSkewMs)} ` +
          `(${formatAmzDate(now)} + ${skew})`,
      );
    }
    return signingDate;
  }

  /**
   * The signer trusts X-Amz-Content-Sha256 instead of hashing the body when the header is present, so
   * the header must match the body: otherwise a signed request could carry any other body.
   */
  private checkPayloadHash(headers: Map<string, string[]>, body: Buffer): void {
    const claimed = single(headers, 'x-amz-content-sha256');
    if (claimed === undefined) {
      return;
    }
    const actual = sha256(body);
    const claimedBytes = /^[0-9a-fA-F]{64}$/.test(claimed.trim())
      ? Buffer.from(claimed.trim(), 'hex')
      : undefined;
    if (claimedBytes === undefined || !timingSafeEqual(claimedBytes, actual)) {
      fail(
        'InvalidSignatureException',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  }

  /** A session token is required for temporary keys, must match exactly, and is refused otherwise. */
  private checkSessionToken(headers: Map<string, string[]>, secret: SigV4Secret): void {
    const provided = single(headers, 'x-amz-security-token');
    const expected = secret.sessionToken;
    if (provided === undefined && expected === undefined) {
      return;
    }
    if (
      provided === undefined ||
      expected === undefined ||
      !timingSafeEqual(sha256(provided), sha256(expected))
    ) {
      fail('UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    }
  }

  /**
   * One SignatureV4 per access key, so the signer's signing-key cache is reused; replaced when the
   * secret changes (key rotation). The credentials carry no session token: when the client signed
   * X-Amz-Security-Token it is already among the rebuilt headers, checked above.
   */
  private signerFor(accessKeyId: string, secretAccessKey: string): SignatureV4 {
    const cached = this.signers.get(accessKeyId);
    if (cached !== undefined) {
      this.signers.delete(accessKeyId);
      if (cached.secretAccessKey === secretAccessKey) {
        this.signers.set(accessKeyId, cached);
        return cached.signer;
      }
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region: this.region,
      service: this.service,
      sha256: Sha256,
      applyChecksum: false,
      uriEscapePath: true,
    });
    this.signers.set(accessKeyId, { secretAccessKey, signer });
    while (this.signers.size > this.maxCachedSigners) {
      this.signers.delete(this.signers.keys().next().value as string);
    }
    return signer;
  }

  /** Number of cached per-access-key signers (for tests and metrics). */
  get cachedSigners(): number {
    return this.signers.size;
  }
}
