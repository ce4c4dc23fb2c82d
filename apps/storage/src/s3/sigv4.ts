/**
 * S3's flavour of AWS Signature Version 4, verified with a day-scoped signing key instead of the secret access key.
 *
 * The storage service never sees secrets: the gateway derives `kSigning` (deriveSigningKey) for the access key, the
 * scope date and region of a request, and hands it over. Everything here is pure (node:crypto only).
 *
 * S3's rules differ from the generic SigV4 ones (AWS docs, "Authenticating Requests: Using the Authorization Header"):
 * - the canonical URI is the path URI-encoded once: the wire path is percent-decoded and re-encoded with
 *   `A-Za-z0-9-_.~` and `/` left as they are; `.`, `..` and `//` are NOT normalised;
 * - `x-amz-content-sha256` is required and is the payload hash of the canonical request (a hex sha256 or one of the
 *   UNSIGNED / STREAMING constants);
 * - every `x-amz-*` header the request carries must be signed (S3's "headers present ... not signed").
 * Query-string authentication (presigned URLs) is refused with NotImplemented: this service authenticates the
 * Authorization header only.
 *
 * Chunk and trailer signatures (aws-chunked bodies, "Transferring Payload in Multiple Chunks" and "Including Trailing
 * Headers"): chunkStringToSign / trailerStringToSign and signString; aws-chunked.ts runs the chain.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { S3Error } from './errors.js';
import { needs } from './needs.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const S3_SIGNING_SERVICE = 's3';
export const SCOPE_TERMINATOR = 'aws4_request';
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
/** Longer Authorization headers are refused before they are parsed. */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 8192;
/** Hex sha256 of the empty string (the "previous hash" slot of every chunk string to sign). */
export const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** Header names as they arrive (any case); repeated headers as arrays (pass Node's `req.headersDistinct`). */
export type S3Headers = Record<string, string | string[] | undefined>;

/** The parts of `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/s3/aws4_request, SignedHeaders=..., Signature=...`. */
export interface S3Authorization {
  accessKeyId: string;
  /** Scope date, yyyymmdd. */
  date: string;
  region: string;
  service: string;
  /** Lower-cased, in the order the client listed them. */
  signedHeaders: string[];
  /** Lower-case hex, 64 characters. */
  signature: string;
}

export interface S3AuthorizationOptions {
  /** The region this service answers for: a credential scoped to another region is refused. */
  region: string;
  /** The query string as on the wire (without `?`), to recognise presigned-URL authentication. */
  rawQuery?: string;
}

/** What `x-amz-content-sha256` says about the body. */
export type PayloadMode =
  | { kind: 'sha256'; /** lower-case hex */ hash: string }
  | { kind: 'unsigned' }
  | {
      kind: 'streaming-signed';
      trailer: boolean;
      /** Lower-case names from x-amz-trailer (empty unless `trailer`). */
      trailers: string[];
      /** x-amz-decoded-content-length. */
      decodedLength: number;
    }
  | { kind: 'streaming-unsigned-trailer'; trailers: string[]; decodedLength: number };

export interface S3RequestToVerify {
  method: string;
  /** The path as on the wire, still percent-encoded, without the query string. */
  rawPath: string;
  /** The query string as on the wire, without `?` ('' when none). */
  rawQuery: string;
  headers: S3Headers;
}

export interface VerifiedS3Request {
  /** The Authorization header's signature: the first link of an aws-chunked signature chain. */
  seedSignature: string;
  payload: PayloadMode;
  /** X-Amz-Date (yyyymmddThhmmssZ), part of every chunk string to sign. */
  amzDate: string;
  /** `yyyymmdd/region/s3/aws4_request`. */
  scope: string;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SCOPE_DATE = /^\d{8}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_-]{1,128}$/;
/* Region and service are echoed in error messages: keep them to a safe alphabet. */
const SCOPE_NAME = /^[A-Za-z0-9-]{1,64}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** 64 hex digits: a signature, or a SHA-256. */
export const HEX_64 = /^[0-9a-fA-F]{64}$/;
const DECIMAL = /^\d{1,16}$/;
const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-_.~/]*$/;
/** x-amz-trailer may name only checksum headers (S3 accepts nothing else in a trailer). */
const TRAILER_NAME = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/;
/** Query parameters that mean query-string (presigned) authentication, SigV4 and SigV2. */
const PRESIGN_PARAMETERS = ['x-amz-signature', 'x-amz-credential', 'x-amz-algorithm', 'signature'];
/* Headers a signature must never cover: the signature itself. */
const UNSIGNABLE = new Set(['authorization']);

const MALFORMED_CREDENTIAL =
  'The authorization header is malformed; the Credential is mal-formed; ' +
  'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
export const TIME_TOO_SKEWED_MESSAGE =
  'The difference between the request time and the current time is too large.';

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** `yyyymmdd/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service = S3_SIGNING_SERVICE): string {
  return `${date}/${region}/${service}/${SCOPE_TERMINATOR}`;
}

/** Hex HMAC-SHA256 of a string to sign under a signing key. */
export function signString(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures (false when either is not 64 hex digits). */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  if (!HEX_64.test(expectedHex) || !HEX_64.test(providedHex)) {
    return false;
  }
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(providedHex, 'hex'));
}

/** String to sign of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body (the final chunk hashes no bytes). */
export function chunkStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  return [
    'AWS4-HMAC-SHA256-PAYLOAD',
    amzDate,
    scope,
    previousSignature,
    EMPTY_SHA256_HEX,
    chunkSha256Hex,
  ].join('\n');
}

/**
 * The trailer block as signed: each `name:value\n`, names lower-cased and sorted. S3 accepts one checksum trailer,
 * so the order only matters in theory; sorted is what the canonical-headers rule gives.
 */
export function canonicalTrailers(trailers: Readonly<Record<string, string>>): string {
  return Object.keys(trailers)
    .map((name) => [name.toLowerCase(), (trailers[name] as string).trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
}

/** String to sign of the trailer of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body (x-amz-trailer-signature). */
export function trailerStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailers: Readonly<Record<string, string>>,
): string {
  return [
    'AWS4-HMAC-SHA256-TRAILER',
    amzDate,
    scope,
    previousSignature,
    sha256Hex(canonicalTrailers(trailers)),
  ].join('\n');
}

/** Lower-cases names and merges repeated headers (arrays, or the same name in different case), in order. */
function normaliseHeaders(headers: S3Headers): Map<string, string[]> {
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

function single(
  headers: Map<string, string[]>,
  name: string,
  code: 'InvalidRequest' | 'InvalidArgument' = 'InvalidRequest',
): string | undefined {
  const values = headers.get(name);
  if (values === undefined || values.length === 0) {
    return undefined;
  }
  if (values.length > 1) {
    throw new S3Error(code, `The ${name} header must appear only once.`);
  }
  return values[0];
}

/** Query parameter names (lower-cased, still raw) of a wire query string. */
function rawQueryNames(rawQuery: string): string[] {
  return rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      return safeDecode(eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Parses the Authorization header and checks the credential scope against this service (region, 's3',
 * aws4_request). No Authorization header: AccessDenied 'Access Denied' (anonymous access is not offered);
 * presigned-URL (query-string) authentication: NotImplemented; both at once: InvalidArgument (as S3);
 * SigV2 or SigV4a: InvalidRequest; anything malformed: AuthorizationHeaderMalformed.
 */
export function parseS3Authorization(headers: S3Headers, options: S3AuthorizationOptions): S3Authorization {
  /* Precondition: the service region must be non-empty. */
  needs(options.region.length > 0, 'the service region must be non-empty');
  const normalised = normaliseHeaders(headers);
  const values = normalised.get('authorization') ?? [];
  const presigned = rawQueryNames(options.rawQuery ?? '').some((n) => PRESIGN_PARAMETERS.includes(n));
  if (values.length === 0 || values.every((v) => v.trim() === '')) {
    if (presigned) {
      throw new S3Error(
        'NotImplemented',
        'Query-string authentication (presigned URLs) is not supported; sign the request with the Authorization header.',
      );
    }
    throw new S3Error('AccessDenied', 'Access Denied');
  }
  if (presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter ' +
        'or the Authorization header should be specified',
    );
  }
  if (values.length > 1) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it appears more than once.',
    );
  }
  const value = (values[0] as string).trim();
  if (value.length > MAX_AUTHORIZATION_HEADER_LENGTH) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it is too long.',
    );
  }
  const space = value.search(/\s/);
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error(
      'InvalidRequest',
      `The authorization mechanism you have provided is not supported. Please use ${SIGV4_ALGORITHM}.`,
    );
  }

  const params = new Map<string, string>();
  for (const part of value.slice(algorithm.length).split(',')) {
    const item = part.trim();
    if (item === '') {
      continue;
    }
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq).trim();
    if (!['Credential', 'SignedHeaders', 'Signature'].includes(name) || params.has(name)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        "The authorization header is malformed; it must hold 'Credential', 'SignedHeaders' and 'Signature' once each.",
      );
    }
    params.set(name, eq < 0 ? '' : item.slice(eq + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!params.get(name)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; missing ${name}.`,
      );
    }
  }

  const credential = (params.get('Credential') as string).split('/');
  if (credential.length !== 5) {
    throw new S3Error('AuthorizationHeaderMalformed', MALFORMED_CREDENTIAL);
  }
  const [accessKeyId, date, region, service, terminator] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (
    !ACCESS_KEY_ID.test(accessKeyId) ||
    !SCOPE_DATE.test(date) ||
    !SCOPE_NAME.test(region) ||
    !SCOPE_NAME.test(service)
  ) {
    throw new S3Error('AuthorizationHeaderMalformed', MALFORMED_CREDENTIAL);
  }
  if (region !== options.region) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${region}' is wrong; expecting '${options.region}'`,
      undefined,
      { Region: options.region },
    );
  }
  if (service !== S3_SIGNING_SERVICE) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "${S3_SIGNING_SERVICE}".`,
    );
  }
  if (terminator !== SCOPE_TERMINATOR) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; incorrect terminal. This endpoint uses "${SCOPE_TERMINATOR}".`,
    );
  }

  const signedHeaders = (params.get('SignedHeaders') as string).split(';').map((h) => h.trim().toLowerCase());
  if (
    signedHeaders.some((h) => !HEADER_NAME.test(h)) ||
    new Set(signedHeaders).size !== signedHeaders.length
  ) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; SignedHeaders must list distinct header names separated by semicolons.',
    );
  }
  const signature = params.get('Signature') as string;
  if (!HEX_64.test(signature)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; Signature must be 64 hexadecimal digits.',
    );
  }
  return { accessKeyId, date, region, service, signedHeaders, signature: signature.toLowerCase() };
}

/** Percent-decodes a wire component to text; a bad escape or invalid UTF-8 is a client error. */
function decodeComponent(raw: string): string {
  if (!raw.includes('%')) {
    return raw;
  }
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidArgument', "Couldn't parse the specified URI.");
  }
}

/** AWS's UriEncode: every byte but A-Za-z0-9-_.~ (and '/' when keepSlash) as %XX, upper-case hex, over UTF-8. */
export function awsUriEncode(text: string, keepSlash: boolean): string {
  if ((keepSlash ? UNRESERVED_OR_SLASH : UNRESERVED).test(text)) {
    return text;
  }
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      c === '-' ||
      c === '_' ||
      c === '.' ||
      c === '~' ||
      (keepSlash && c === '/')
    ) {
      out += c;
    } else {
      out += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
    }
  }
  return out;
}

/** S3's canonical URI: the wire path decoded once and re-encoded once; no dot-segment or slash normalisation. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') {
    return '/';
  }
  return rawPath
    .split('/')
    .map((segment) => awsUriEncode(decodeComponent(segment), true))
    .join('/');
}

/** Canonical query: each name and value decoded and re-encoded, sorted by encoded name then value. */
export function canonicalQuery(rawQuery: string): string {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query === '') {
    return '';
  }
  const pairs = query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [
        awsUriEncode(decodeComponent(name), false),
        awsUriEncode(decodeComponent(value), false),
      ] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header's canonical value: each occurrence trimmed, inner whitespace runs collapsed, joined by ','. */
function canonicalHeaderValue(values: string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** The canonical request S3 signs (exported for diagnostics and tests). */
export function canonicalRequest(
  req: S3RequestToVerify,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const headers = normaliseHeaders(req.headers);
  const names = [...signedHeaders].sort();
  const lines = names.map((name) => `${name}:${canonicalHeaderValue(headers.get(name) ?? [])}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery),
    lines,
    names.join(';'),
    payloadHash,
  ].join('\n');
}

/** X-Amz-Date (yyyyMMddTHHmmssZ) to epoch ms, or undefined when malformed or not a real instant. */
function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return back === value ? ms : undefined;
}

/** x-amz-trailer: lower-case checksum header names; anything else is refused. */
export function parseAmzTrailer(headers: S3Headers): string[] {
  const value = single(normaliseHeaders(headers), 'x-amz-trailer');
  if (value === undefined || value.trim() === '') {
    return [];
  }
  const names = value.split(',').map((n) => n.trim().toLowerCase());
  if (names.some((n) => !TRAILER_NAME.test(n)) || new Set(names).size !== names.length) {
    throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
  }
  if (names.length > 1) {
    throw new S3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  return names;
}

/** x-amz-decoded-content-length, required for aws-chunked bodies: MissingContentLength when absent. */
export function decodedContentLength(headers: S3Headers): number {
  const value = single(normaliseHeaders(headers), 'x-amz-decoded-content-length');
  if (value === undefined) {
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const trimmed = value.trim();
  if (!DECIMAL.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new S3Error('InvalidArgument', 'x-amz-decoded-content-length must be a non-negative integer.');
  }
  return Number(trimmed);
}

function payloadMode(headers: S3Headers, claimed: string): PayloadMode {
  const value = claimed.trim();
  const streaming = (): { trailers: string[]; decodedLength: number } => ({
    trailers: parseAmzTrailer(headers),
    decodedLength: decodedContentLength(headers),
  });
  let mode: PayloadMode;
  if (HEX_64.test(value)) {
    mode = { kind: 'sha256', hash: value.toLowerCase() };
  } else if (value === UNSIGNED_PAYLOAD) {
    mode = { kind: 'unsigned' };
  } else if (value === STREAMING_SIGNED_PAYLOAD) {
    mode = { kind: 'streaming-signed', trailer: false, ...streaming() };
  } else if (value === STREAMING_SIGNED_PAYLOAD_TRAILER) {
    mode = { kind: 'streaming-signed', trailer: true, ...streaming() };
  } else if (value === STREAMING_UNSIGNED_PAYLOAD_TRAILER) {
    mode = { kind: 'streaming-unsigned-trailer', ...streaming() };
  } else {
    throw new S3Error(
      'InvalidArgument',
      `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ${STREAMING_UNSIGNED_PAYLOAD_TRAILER}, ` +
        `${STREAMING_SIGNED_PAYLOAD}, ${STREAMING_SIGNED_PAYLOAD_TRAILER} or a valid sha256 value.`,
    );
  }
  const withTrailer =
    mode.kind === 'streaming-unsigned-trailer' || (mode.kind === 'streaming-signed' && mode.trailer);
  const announced = withTrailer ? (mode as { trailers: string[] }).trailers : parseAmzTrailer(headers);
  if (withTrailer && announced.length === 0) {
    throw new S3Error('InvalidRequest', `x-amz-trailer is required when x-amz-content-sha256 is ${value}.`);
  }
  if (!withTrailer && announced.length > 0) {
    throw new S3Error(
      'InvalidRequest',
      `x-amz-trailer is not allowed when x-amz-content-sha256 is ${mode.kind === 'sha256' ? 'a sha256 value' : value}.`,
    );
  }
  return mode;
}

/**
 * Verifies the request's header signature with the signing key of its scope (the caller derived or fetched it for
 * auth.accessKeyId / auth.date / auth.region / 's3'). Checks, in this order: X-Amz-Date, its day against the
 * scope date, the clock skew, the signed-header rules, x-amz-content-sha256, then the signature in constant time.
 * The body is not read: for a `sha256` payload the caller compares the hash when the body has been received
 * (checksums.ts), for the streaming modes aws-chunked.ts checks the chunk signatures.
 */
export function verifyS3Request(
  req: S3RequestToVerify,
  auth: S3Authorization,
  signingKey: Buffer,
  now: number,
  maxSkewMs = DEFAULT_MAX_SKEW_MS,
): VerifiedS3Request {
  /* Precondition: the signing key must be a 32-byte HMAC-SHA256 key. */
  needs(signingKey.length === 32, 'the signing key must be a 32-byte HMAC-SHA256 key');
  /* Precondition: maxSkewMs must be a positive number of milliseconds. */
  needs(Number.isFinite(maxSkewMs) && maxSkewMs > 0, 'maxSkewMs must be a positive number of milliseconds');
  const headers = normaliseHeaders(req.headers);

  const amzDate = (single(headers, 'x-amz-date', 'InvalidArgument') ?? '').trim();
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  if (Math.abs(signedAt - now) > maxSkewMs) {
    throw new S3Error('RequestTimeTooSkewed', TIME_TOO_SKEWED_MESSAGE, undefined, {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: String(maxSkewMs),
    });
  }

  const claimed = single(headers, 'x-amz-content-sha256');
  if (claimed === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const signed = new Set(auth.signedHeaders);
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.has(required)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; SignedHeaders must include '${required}'.`,
      );
    }
  }
  for (const name of signed) {
    if (UNSIGNABLE.has(name)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; '${name}' cannot be signed.`,
      );
    }
    if (!headers.has(name)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the signed header '${name}' is missing from the request.`,
      );
    }
  }
  const notSigned = [...headers.keys()]
    .filter((name) => name.startsWith('x-amz-') && !signed.has(name))
    .sort();
  if (notSigned.length > 0) {
    throw new S3Error(
      'AccessDenied',
      'There were headers present in the request which were not signed',
      undefined,
      {
        HeadersNotSigned: notSigned.join(', '),
      },
    );
  }

  const payload = payloadMode(req.headers, claimed);

  const scope = credentialScope(auth.date, auth.region, auth.service);
  const stringToSign = [
    SIGV4_ALGORITHM,
    amzDate,
    scope,
    sha256Hex(canonicalRequest(req, auth.signedHeaders, claimed.trim())),
  ].join('\n');
  if (!signaturesEqual(signString(signingKey, stringToSign), auth.signature)) {
    throw new S3Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  }
  return { seedSignature: auth.signature, payload, amzDate, scope };
}
