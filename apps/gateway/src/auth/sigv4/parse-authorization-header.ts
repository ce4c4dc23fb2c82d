import { SigV4Error } from './errors/sigv4.error.js';

/** The only algorithm accepted in the Authorization header. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The terminator of every SigV4 credential scope. */
export const SIGV4_SCOPE_TERMINATOR = 'aws4_request';
/** Longer Authorization headers are refused before they are parsed. */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 8192;

/** The parts of an `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  /** Scope date, yyyymmdd. */
  date: string;
  region: string;
  service: string;
  /** Lower-cased header names, in the order the client listed them. */
  signedHeaders: string[];
  /** Lower-case hex, 64 characters. */
  signature: string;
}

const PARAMETERS = ['Credential', 'SignedHeaders', 'Signature'] as const;
type Parameter = (typeof PARAMETERS)[number];

const ACCESS_KEY_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SCOPE_DATE = /^\d{8}$/;
/* Region and service are echoed in error messages: keep them to a safe alphabet. */
const SCOPE_NAME = /^[A-Za-z0-9-]{1,64}$/;
/* RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;

function incomplete(message: string): SigV4Error {
  return new SigV4Error('IncompleteSignatureException', message);
}

/**
 * Parses a SigV4 Authorization header. Throws `SigV4Error` (IncompleteSignatureException) when the
 * header is malformed. The header value is never echoed back: it carries the client's signature.
 */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  if (typeof value !== 'string' || value.length > MAX_AUTHORIZATION_HEADER_LENGTH) {
    throw incomplete('Authorization header is missing or too long.');
  }
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(`Authorization header must use the ${SIGV4_ALGORITHM} algorithm.`);
  }

  const params = new Map<Parameter, string>();
  const rest = space < 0 ? '' : trimmed.slice(space).trim();
  if (rest.length > 0) {
    for (const part of rest.split(',')) {
      const item = part.trim();
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq).trim();
      if (!(PARAMETERS as readonly string[]).includes(name)) {
        throw incomplete(
          "Authorization header must contain only 'Credential', 'SignedHeaders' and 'Signature' parameters.",
        );
      }
      if (params.has(name as Parameter)) {
        throw incomplete(`Authorization header contains the '${name}' parameter more than once.`);
      }
      params.set(name as Parameter, eq < 0 ? '' : item.slice(eq + 1).trim());
    }
  }
  const missing = PARAMETERS.filter((p) => !params.get(p));
  if (missing.length > 0) {
    throw incomplete(missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
  }

  const credential = (params.get('Credential') as string).split('/');
  if (credential.length !== 5) {
    throw incomplete(
      "Credential must have the form '<access key id>/<yyyymmdd>/<region>/<service>/aws4_request'.",
    );
  }
  const [accessKeyId, date, region, service, terminator] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw incomplete('Credential contains a malformed access key id.');
  }
  if (!SCOPE_DATE.test(date)) {
    throw incomplete('Credential scope date must have the form yyyymmdd.');
  }
  if (!SCOPE_NAME.test(region) || !SCOPE_NAME.test(service)) {
    throw incomplete('Credential scope contains a malformed region or service.');
  }
  if (terminator !== SIGV4_SCOPE_TERMINATOR) {
    throw incomplete(`Credential should be scoped with a valid terminator: '${SIGV4_SCOPE_TERMINATOR}'.`);
  }

  const signedHeaders = (params.get('SignedHeaders') as string).split(';').map((h) => h.toLowerCase());
  if (signedHeaders.some((h) => !HEADER_NAME.test(h))) {
    throw incomplete('SignedHeaders must be a list of header names separated by semicolons.');
  }
  if (new Set(signedHeaders).size !== signedHeaders.length) {
    throw incomplete('SignedHeaders names a header more than once.');
  }

  const signature = params.get('Signature') as string;
  if (!SIGNATURE.test(signature)) {
    throw incomplete('Signature must be 64 hexadecimal characters.');
  }

  return { accessKeyId, date, region, service, signedHeaders, signature: signature.toLowerCase() };
}
