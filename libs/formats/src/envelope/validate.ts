import { needs } from '../needs.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { isWellFormedUnicode } from '../unicode.js';
import type { CanonicalJsonValue } from './canonical-json.js';
import {
  type ChainRecipe,
  type EnvelopeAuthority,
  type EnvelopeHeader,
  type KeyRecipe,
  ENVELOPE_AUTHORITY_ID_PATTERN,
  ENVELOPE_CUSTOMER_KEY_ID_PATTERN,
  ENVELOPE_ID_LENGTH,
  ENVELOPE_MAX_AUTHORITIES,
  ENVELOPE_MAX_CHAIN_LENGTH,
  ENVELOPE_MAX_CONTEXT_ENTRIES,
  ENVELOPE_MAX_CONTEXT_KEY_LENGTH,
  ENVELOPE_MAX_CONTEXT_VALUE_LENGTH,
  ENVELOPE_MAX_ENDPOINT_LENGTH,
  ENVELOPE_MAX_KEY_ARN_LENGTH,
  ENVELOPE_MAX_SPLIT_PARTS,
  ENVELOPE_MAX_WRAPPED_LENGTH,
  ENVELOPE_MIN_SPLIT_PARTS,
  ENVELOPE_RESERVED_CONTEXT_PREFIX,
} from './format.js';

/**
 * How the byte fields (`id`, `wrapped`) arrive: `bytes` (Uint8Array, from SDK code) or `base64` (strings, from the
 * parsed header JSON). Every other field has the same name and type in both forms.
 */
export type ByteFieldEncoding = 'bytes' | 'base64';

/**
 * `complete`: a header that can be written or was read: every limit holds. `draft`: the same, except that wrapped
 * values may be empty, so that a writer can compute bindings and parts before it has wrapped anything.
 */
export type HeaderCompleteness = 'complete' | 'draft';

const HEADER_FIELDS = ['authorities', 'context', 'id', 'key'];
const KMS_FIELDS = ['endpoint', 'id', 'keyArn', 'type'];
const CUSTOMER_KEY_FIELDS = ['id', 'keyId', 'type'];
const CHAIN_FIELDS = ['chain', 'wrapped'];
const SPLIT_FIELDS = ['split'];

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function onlyFields(value: Fields, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

/** Length in Unicode code points (surrogate pairs count once), the unit of every character limit. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) {
    n++;
  }
  return n;
}

/** Whether a value is an object whose own values are all strings. */
export function isStringRecord(value: unknown): value is Readonly<Record<string, string>> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/**
 * Checks every field and limit of a version 1 header and returns a normalized copy (bytes copied, `endpoint` and
 * other absent fields left out, the context `{}` when absent). Never returns a partial result.
 */
export function normalizeHeader(
  value: unknown,
  encoding: ByteFieldEncoding,
  completeness: HeaderCompleteness,
): EnvelopeHeader {
  /* Precondition: the header is an object. */
  needs(isRecord(value), 'Envelope header must be an object');
  /* Precondition: version 1 has exactly these fields; anything else is refused, never ignored. */
  needs(onlyFields(value, HEADER_FIELDS), 'Envelope header has an unknown field');
  const id = readId(value['id'], encoding);
  const authorities = readAuthorities(value['authorities']);
  const context = readContext(value['context']);
  const used: number[] = [];
  const key = readRecipe(value['key'], authorities.length, encoding, completeness, used);
  /* Precondition: each authority wraps exactly one layer of the whole recipe. */
  needs(new Set(used).size === used.length, 'Envelope authority is used more than once');
  /* Precondition: the header never names an authority it does not use. */
  needs(used.length === authorities.length, 'Envelope authority is never used');
  return { id, authorities, context, key };
}

export function readId(value: unknown, encoding: ByteFieldEncoding): Uint8Array<ArrayBuffer> {
  let id: Uint8Array<ArrayBuffer> | undefined;
  if (encoding === 'base64') {
    id = typeof value === 'string' ? decodeBase64(value) : undefined;
    /* Precondition: the JSON holds the id as canonical base64. */
    needs(id !== undefined, 'Envelope id is not base64');
  } else {
    /* Precondition: the SDK passes the id as bytes. */
    needs(value instanceof Uint8Array, 'Envelope id must be a Uint8Array');
    id = value.slice();
  }
  /* Precondition: the id is 16 random bytes. */
  needs(id.length === ENVELOPE_ID_LENGTH, 'Envelope id must be 16 bytes');
  return id;
}

function readAuthorities(value: unknown): EnvelopeAuthority[] {
  /* Precondition: the authorities are a list. */
  needs(Array.isArray(value), 'Envelope authorities must be an array');
  /* Precondition: at least one authority protects the data key. */
  needs(value.length >= 1, 'Envelope has no authorities');
  /* Precondition: at most 16 authorities. */
  needs(value.length <= ENVELOPE_MAX_AUTHORITIES, 'Envelope has more than 16 authorities', 'TOO_LONG');
  const authorities = value.map(readAuthority);
  /* Precondition: authority ids name one authority each. */
  needs(
    new Set(authorities.map((a) => a.id)).size === authorities.length,
    'Envelope authority ids must be unique',
  );
  const keys = authorities.map((a) =>
    a.type === 'customer-key' ? `customer-key ${a.keyId}` : `kms ${a.keyArn} ${a.endpoint ?? ''}`,
  );
  /* Precondition: one key stands for one authority (the same key twice would count as two of the all-of). */
  needs(new Set(keys).size === keys.length, 'Envelope authorities must be different keys');
  return authorities;
}

function readAuthority(value: unknown): EnvelopeAuthority {
  /* Precondition: each authority is an object. */
  needs(isRecord(value), 'Envelope authority must be an object');
  const { id, type } = value;
  /* Precondition: the type is one version 1 knows. */
  needs(type === 'kms' || type === 'customer-key', 'Envelope authority type is not supported');
  /* Precondition: each type has exactly its own fields. */
  needs(
    onlyFields(value, type === 'kms' ? KMS_FIELDS : CUSTOMER_KEY_FIELDS),
    'Envelope header has an unknown field',
  );
  /* Precondition: ids are short, printable and safe in any log or file name. */
  needs(
    typeof id === 'string' && ENVELOPE_AUTHORITY_ID_PATTERN.test(id),
    'Envelope authority id must be 1 to 64 of A-Za-z0-9._-',
  );
  if (type === 'customer-key') {
    const { keyId } = value;
    /* Precondition: a customer key is named by 16 lower-case hex digits. */
    needs(
      typeof keyId === 'string' && ENVELOPE_CUSTOMER_KEY_ID_PATTERN.test(keyId),
      'Envelope keyId must be 16 lower-case hex digits',
    );
    return { id, type, keyId };
  }
  const { keyArn, endpoint } = value;
  /* Precondition: a kms authority names its key. */
  needs(typeof keyArn === 'string', 'Envelope keyArn must be a string');
  /* Precondition: the key name is not empty. */
  needs(keyArn.length > 0, 'Envelope keyArn is empty');
  /* Precondition: the key name is within the KMS limit. */
  needs(
    codePoints(keyArn) <= ENVELOPE_MAX_KEY_ARN_LENGTH,
    'Envelope keyArn is longer than 2048 characters',
    'TOO_LONG',
  );
  /* Precondition: every string of the header has a UTF-8 form. */
  needs(isWellFormedUnicode(keyArn), 'Envelope strings must be well-formed Unicode');
  if (endpoint === undefined) {
    return { id, type, keyArn };
  }
  /* Precondition: a present endpoint is a URL string. */
  needs(typeof endpoint === 'string', 'Envelope endpoint must be an http(s) URL without credentials');
  /* Precondition: the endpoint is within its limit. */
  needs(
    codePoints(endpoint) <= ENVELOPE_MAX_ENDPOINT_LENGTH,
    'Envelope endpoint is longer than 2048 characters',
    'TOO_LONG',
  );
  /* Precondition: the endpoint is an http(s) URL, and a readable header never carries credentials. */
  needs(isHttpUrl(endpoint), 'Envelope endpoint must be an http(s) URL without credentials');
  return { id, type, keyArn, endpoint };
}

/** `http://` or `https://` (lower case), a host, no user or password, no spaces or control characters. */
function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/./.test(text) || !isWellFormedUnicode(text)) {
    return false;
  }
  for (const c of text) {
    if (c <= ' ' || c === '\u007f') {
      return false;
    }
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === ''
  );
}

export function readContext(value: unknown): Record<string, string> {
  if (value === undefined) {
    return {};
  }
  /* Precondition: the context maps strings to strings. */
  needs(isStringRecord(value), 'Envelope context must be an object of strings');
  const entries = Object.entries(value);
  /* Precondition: at most 64 entries. */
  needs(
    entries.length <= ENVELOPE_MAX_CONTEXT_ENTRIES,
    'Envelope context has more than 64 entries',
    'TOO_LONG',
  );
  for (const [key, text] of entries) {
    /* Precondition: keys are not empty. */
    needs(key.length > 0, 'Envelope context key is empty');
    /* Precondition: keys are at most 256 characters. */
    needs(
      codePoints(key) <= ENVELOPE_MAX_CONTEXT_KEY_LENGTH,
      'Envelope context key is longer than 256 characters',
      'TOO_LONG',
    );
    /* Precondition: values are at most 1024 characters. */
    needs(
      codePoints(text) <= ENVELOPE_MAX_CONTEXT_VALUE_LENGTH,
      'Envelope context value is longer than 1024 characters',
      'TOO_LONG',
    );
    /* Precondition: the symbolon: keys belong to the wrap bindings, so the context can never forge one. */
    needs(!key.startsWith(ENVELOPE_RESERVED_CONTEXT_PREFIX), 'Envelope context key starts with symbolon:');
    /* Precondition: every string of the header has a UTF-8 form. */
    needs(
      isWellFormedUnicode(key) && isWellFormedUnicode(text),
      'Envelope strings must be well-formed Unicode',
    );
  }
  // Object.fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(entries);
}

function readRecipe(
  value: unknown,
  authorityCount: number,
  encoding: ByteFieldEncoding,
  completeness: HeaderCompleteness,
  used: number[],
): KeyRecipe {
  /* Precondition: the key recipe is an object. */
  needs(isRecord(value), 'Envelope key recipe must be an object');
  if (!('split' in value)) {
    return readChain(value, authorityCount, encoding, completeness, used);
  }
  /* Precondition: a split has only its list of chains. */
  needs(onlyFields(value, SPLIT_FIELDS), 'Envelope header has an unknown field');
  const { split } = value;
  /* Precondition: the split is a list. */
  needs(Array.isArray(split), 'Envelope split must be an array');
  /* Precondition: a split of one share would be a chain with extra steps. */
  needs(split.length >= ENVELOPE_MIN_SPLIT_PARTS, 'Envelope split has fewer than 2 parts');
  /* Precondition: at most 8 shares (the HKDF info holds their count in one byte, and the header stays small). */
  needs(split.length <= ENVELOPE_MAX_SPLIT_PARTS, 'Envelope split has more than 8 parts', 'TOO_LONG');
  const parts = split.map((part: unknown) => {
    /* Precondition: each share is a recipe object. */
    needs(isRecord(part), 'Envelope key recipe must be an object');
    /* Precondition: shares are chains; a split inside a split is not a version 1 recipe. */
    needs(!('split' in part), 'Envelope split cannot be nested');
    return readChain(part, authorityCount, encoding, completeness, used);
  });
  return { split: parts };
}

function readChain(
  value: Fields,
  authorityCount: number,
  encoding: ByteFieldEncoding,
  completeness: HeaderCompleteness,
  used: number[],
): ChainRecipe {
  /* Precondition: a chain has only its indexes and its wrapped value. */
  needs(onlyFields(value, CHAIN_FIELDS), 'Envelope header has an unknown field');
  const { chain } = value;
  /* Precondition: the chain is a list of authority indexes. */
  needs(
    Array.isArray(chain) && chain.every((i: unknown) => Number.isSafeInteger(i)),
    'Envelope chain must be an array of integers',
  );
  /* Precondition: some authority wraps the secret. */
  needs(chain.length >= 1, 'Envelope chain is empty');
  /* Precondition: at most 8 layers. */
  needs(chain.length <= ENVELOPE_MAX_CHAIN_LENGTH, 'Envelope chain has more than 8 authorities', 'TOO_LONG');
  const indexes = chain as number[];
  /* Precondition: every index names a listed authority. */
  needs(
    indexes.every((i) => i >= 0 && i < authorityCount),
    'Envelope chain index is out of range',
  );
  used.push(...indexes);
  return { chain: indexes.slice(), wrapped: readWrapped(value['wrapped'], encoding, completeness) };
}

/** Checks a wrapped value (shared with withWrapped). */
export function readWrapped(
  value: unknown,
  encoding: ByteFieldEncoding,
  completeness: HeaderCompleteness,
): Uint8Array<ArrayBuffer> {
  let wrapped: Uint8Array<ArrayBuffer> | undefined;
  if (encoding === 'base64') {
    wrapped = typeof value === 'string' ? decodeBase64(value) : undefined;
    /* Precondition: the JSON holds the wrapped value as canonical base64. */
    needs(wrapped !== undefined, 'Envelope wrapped key is not base64');
  } else {
    /* Precondition: the SDK passes wrapped values as bytes. */
    needs(value instanceof Uint8Array, 'Envelope wrapped key must be a Uint8Array');
    wrapped = value.slice();
  }
  /* Precondition: a written or read header has every wrapped value (only a draft may hold empty placeholders). */
  needs(completeness === 'draft' || wrapped.length > 0, 'Envelope wrapped key is empty');
  /* Precondition: at most 8192 bytes. */
  needs(
    wrapped.length <= ENVELOPE_MAX_WRAPPED_LENGTH,
    'Envelope wrapped key is longer than 8192 bytes',
    'TOO_LONG',
  );
  return wrapped;
}

/**
 * Checks only the header fields a binding or the sealed header reads (`id` and `context`), so that a writer can
 * compute them before it has any authority or wrapped value.
 */
export function readIdAndContext(header: unknown): {
  id: Uint8Array<ArrayBuffer>;
  context: Record<string, string>;
} {
  /* Precondition: the header is an object. */
  needs(isRecord(header), 'Envelope header must be an object');
  return { id: readId(header['id'], 'bytes'), context: readContext(header['context']) };
}

/** The JSON form of a normalized header: bytes as base64, the context left out when empty. */
export function headerToJson(header: EnvelopeHeader): CanonicalJsonValue {
  const chainJson = (recipe: ChainRecipe): CanonicalJsonValue => ({
    chain: recipe.chain,
    wrapped: encodeBase64(recipe.wrapped),
  });
  const json: Record<string, CanonicalJsonValue> = {
    authorities: header.authorities.map((a) => ({ ...a })),
    id: encodeBase64(header.id),
    key: 'split' in header.key ? { split: header.key.split.map(chainJson) } : chainJson(header.key),
  };
  if (Object.keys(header.context).length > 0) {
    json['context'] = header.context;
  }
  return json;
}
