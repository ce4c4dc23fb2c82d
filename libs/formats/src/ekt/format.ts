/**
 * Symbolon encrypted key token (EKT), format version 1: constants.
 *
 * An EKT is the stored form of one version of KMS key material: the material wrapped inside a token under a domain
 * key generation. Specification: docs/formats/ekt.md.
 *
 * Layout (all integers big-endian):
 *
 * | offset | length | field                                              |
 * | ------ | ------ | -------------------------------------------------- |
 * | 0      | 1      | format version (0x01)                              |
 * | 1      | 4      | domain key generation (uint32, >= 1)               |
 * | 5      | 1      | wrap algorithm id (0x01 = RFC 3394 AES key wrap)   |
 * | 6      | w      | wrapped key (24 <= w <= 520, w a multiple of 8)    |
 *
 * The wrapped key runs to the end of the token; its length is implied by the total length.
 * Everything here is frozen: changing a value changes the stored format, which needs a new version byte.
 */

/** Format version bytes this library writes and reads. */
export const EktVersion = Object.freeze({
  /** Version 1: the layout above. */
  V1: 0x01,
} as const);
export type EktVersion = (typeof EktVersion)[keyof typeof EktVersion];

/** Wrap algorithm ids. */
export const EktWrapAlgorithm = Object.freeze({
  /**
   * AES key wrap, RFC 3394 (https://www.rfc-editor.org/rfc/rfc3394), PKCS#11 CKM_AES_KEY_WRAP, with the domain key
   * (AES-256) as the key-encryption key. Output is the key length plus 8 bytes.
   */
  AES_KW_RFC3394: 0x01,
} as const);
export type EktWrapAlgorithm = (typeof EktWrapAlgorithm)[keyof typeof EktWrapAlgorithm];

/** Byte offsets of each field. */
export const EktOffset = Object.freeze({
  VERSION: 0,
  DOMAIN_GENERATION: 1,
  ALGORITHM: 5,
  WRAPPED: 6,
} as const);

/** Length of the fixed part: version, domain generation, algorithm (6 bytes). */
export const EKT_HEADER_LENGTH = 6;

/** Smallest wrapped key: RFC 3394 needs at least two 64-bit blocks of key (a 128-bit key) plus the 8-byte IV. */
export const EKT_MIN_WRAPPED_LENGTH = 24;
/** Largest wrapped key: 512 bytes of key material plus the 8-byte IV. */
export const EKT_MAX_WRAPPED_LENGTH = 520;
/** RFC 3394 works on 64-bit blocks: wrapped lengths are multiples of 8. */
export const EKT_WRAPPED_BLOCK_LENGTH = 8;

/** Smallest and largest whole EKT (30 and 526 bytes). */
export const EKT_MIN_LENGTH = EKT_HEADER_LENGTH + EKT_MIN_WRAPPED_LENGTH;
export const EKT_MAX_LENGTH = EKT_HEADER_LENGTH + EKT_MAX_WRAPPED_LENGTH;

/** Domain key generations are uint32 and start at 1. */
export const EKT_MIN_DOMAIN_GENERATION = 1;
export const EKT_MAX_DOMAIN_GENERATION = 0xffff_ffff;
