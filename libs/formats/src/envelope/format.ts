/**
 * Symbolon SDK envelope, format version 1: constants and header types.
 *
 * Specification: docs/formats/envelope-v1.md (byte table, canonical header JSON, limits, bindings).
 * Known-answer vectors: libs/formats/test-vectors/envelope-v1-headers.json.
 *
 * Layout (all integers big-endian):
 *
 * | offset | length | field                                              |
 * | ------ | ------ | -------------------------------------------------- |
 * | 0      | 4      | magic `SYME` (53 59 4d 45)                         |
 * | 4      | 1      | format version (0x01)                              |
 * | 5      | 4      | header length n (uint32, 2 to 65,536)              |
 * | 9      | n      | header: canonical UTF-8 JSON                       |
 * | 9 + n  | rest   | body (chunked encryption, not laid out here)       |
 *
 * Everything here is frozen: changing a value changes the wire format, which needs a new version byte.
 */

/** The four magic bytes, `SYME`. */
export const ENVELOPE_MAGIC: readonly number[] = Object.freeze([0x53, 0x59, 0x4d, 0x45]);

/** Format version bytes this library writes and reads. */
export const EnvelopeVersion = Object.freeze({
  /** Version 1: the layout above. */
  V1: 0x01,
} as const);
export type EnvelopeVersion = (typeof EnvelopeVersion)[keyof typeof EnvelopeVersion];

/** Byte offsets of the fixed prefix. */
export const EnvelopeOffset = Object.freeze({
  MAGIC: 0,
  VERSION: 4,
  HEADER_LENGTH: 5,
  HEADER: 9,
} as const);

/** Length of the fixed prefix (magic, version, header length): what `envelopeHeaderLength` needs to answer. */
export const ENVELOPE_PREFIX_LENGTH = EnvelopeOffset.HEADER;
/** Header JSON length limits (the shortest JSON object, `{}`, is 2 bytes). */
export const ENVELOPE_HEADER_MIN_LENGTH = 2;
export const ENVELOPE_HEADER_MAX_LENGTH = 65_536;

/** The envelope id: 16 random bytes. */
export const ENVELOPE_ID_LENGTH = 16;
/** Authorities per header. */
export const ENVELOPE_MAX_AUTHORITIES = 16;
/** Authority ids: 1 to 64 of `A-Za-z0-9._-`. */
export const ENVELOPE_AUTHORITY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** `keyArn` and `endpoint` of a `kms` authority, in Unicode code points. */
export const ENVELOPE_MAX_KEY_ARN_LENGTH = 2048;
export const ENVELOPE_MAX_ENDPOINT_LENGTH = 2048;
/** `keyId` of a `customer-key` authority: 16 lower-case hex digits. */
export const ENVELOPE_CUSTOMER_KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
/** Encryption context limits, in entries and Unicode code points. */
export const ENVELOPE_MAX_CONTEXT_ENTRIES = 64;
export const ENVELOPE_MAX_CONTEXT_KEY_LENGTH = 256;
export const ENVELOPE_MAX_CONTEXT_VALUE_LENGTH = 1024;
/** Context keys with this prefix are reserved for the wrap bindings. */
export const ENVELOPE_RESERVED_CONTEXT_PREFIX = 'symbolon:';
/** Recipe limits. */
export const ENVELOPE_MAX_CHAIN_LENGTH = 8;
export const ENVELOPE_MIN_SPLIT_PARTS = 2;
export const ENVELOPE_MAX_SPLIT_PARTS = 8;
export const ENVELOPE_MAX_WRAPPED_LENGTH = 8192;
/** Length of the data key DK and of each split share. */
export const ENVELOPE_DATA_KEY_LENGTH = 32;
/** HKDF-SHA-256 info prefix of a split recipe; the info is this string's UTF-8 bytes followed by one byte m. */
export const ENVELOPE_SPLIT_HKDF_INFO = 'symbolon.envelope.v1.split';
/** Binding keys added to the context for each wrap. */
export const EnvelopeBindingKey = Object.freeze({
  ENVELOPE: 'symbolon:envelope',
  PART: 'symbolon:part',
  LAYER: 'symbolon:layer',
} as const);
/** Part name of a top-level chain; the shares of a split are `split.0`, `split.1`, ... */
export const ENVELOPE_KEY_PART = 'key';

/** A key of any endpoint that speaks the AWS KMS API. */
export interface KmsAuthority {
  readonly id: string;
  readonly type: 'kms';
  readonly keyArn: string;
  /** `http://` or `https://` URL; absent: the reader's default endpoint for the key's region. */
  readonly endpoint?: string;
}

/** An AES-256 key the customer holds (raw key, WebCrypto key or PKCS#11 token key). */
export interface CustomerKeyAuthority {
  readonly id: string;
  readonly type: 'customer-key';
  /** 16 lower-case hex digits. */
  readonly keyId: string;
}

export type EnvelopeAuthority = KmsAuthority | CustomerKeyAuthority;

/** A chain: wrapped by `chain[0]` first, ..., `wrapped` is what the last authority gave. Indexes into `authorities`. */
export interface ChainRecipe {
  readonly chain: readonly number[];
  readonly wrapped: Uint8Array;
}

/** A split: DK = HKDF over the shares, each share recovered by its chain. */
export interface SplitRecipe {
  readonly split: readonly ChainRecipe[];
}

export type KeyRecipe = ChainRecipe | SplitRecipe;

/** The envelope header, as the SDK sees it (bytes as bytes; the JSON holds them in base64). */
export interface EnvelopeHeader {
  /** 16 random bytes, kept by every re-wrap. */
  readonly id: Uint8Array;
  readonly authorities: readonly EnvelopeAuthority[];
  /** The encryption context; `{}` when there is none (the JSON then has no `context` field). */
  readonly context: Readonly<Record<string, string>>;
  readonly key: KeyRecipe;
}
