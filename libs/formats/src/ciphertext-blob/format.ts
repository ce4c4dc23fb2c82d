/**
 * Symbolon KMS ciphertext blob, format version 1: constants.
 *
 * Specification: docs/formats/ciphertext-blob.md (byte table, AAD construction, limits, test vectors).
 * Known-answer vectors: libs/formats/test-vectors/ciphertext-blob.json.
 *
 * Layout (all integers big-endian):
 *
 * | offset | length | field                                   |
 * | ------ | ------ | --------------------------------------- |
 * | 0      | 1      | format version (0x01)                   |
 * | 1      | 16     | key id (UUID, raw bytes)                |
 * | 17     | 4      | key version (uint32, >= 1)              |
 * | 21     | 12     | AES-GCM IV                              |
 * | 33     | n      | AES-256-GCM ciphertext (n >= 0)         |
 * | 33 + n | 16     | AES-GCM tag                             |
 *
 * The header is bytes [0, 21). The AAD is header || canonical encryption context (see aad.ts); the encryption
 * context is bound by the tag but never stored in the blob.
 *
 * Everything here is frozen: changing a value changes the wire format, which needs a new version byte.
 */

/** Format version bytes this library writes and reads. */
export const CiphertextBlobVersion = Object.freeze({
  /** Version 1: the layout above. */
  V1: 0x01,
} as const);
export type CiphertextBlobVersion = (typeof CiphertextBlobVersion)[keyof typeof CiphertextBlobVersion];

/** Length of the version field. */
export const CIPHERTEXT_BLOB_VERSION_LENGTH = 1;
/** Length of the key id field: a UUID (RFC 9562) as its 16 raw bytes. */
export const CIPHERTEXT_BLOB_KEY_ID_LENGTH = 16;
/** Length of the key version field: uint32, big-endian. */
export const CIPHERTEXT_BLOB_KEY_VERSION_LENGTH = 4;
/** Length of the AES-GCM IV (NIST SP 800-38D, section 8.2: 96-bit IVs). */
export const CIPHERTEXT_BLOB_IV_LENGTH = 12;
/** Length of the AES-GCM authentication tag (128 bits; no truncated tags). */
export const CIPHERTEXT_BLOB_TAG_LENGTH = 16;

/** Byte offsets of each field. */
export const CiphertextBlobOffset = Object.freeze({
  VERSION: 0,
  KEY_ID: 1,
  KEY_VERSION: 17,
  IV: 21,
  CIPHERTEXT: 33,
} as const);

/** Length of the header, bytes [0, 21): version, key id, key version. The header is the start of the AAD. */
export const CIPHERTEXT_BLOB_HEADER_LENGTH =
  CIPHERTEXT_BLOB_VERSION_LENGTH + CIPHERTEXT_BLOB_KEY_ID_LENGTH + CIPHERTEXT_BLOB_KEY_VERSION_LENGTH;

/** Smallest valid blob: header, IV and tag around an empty ciphertext (49 bytes). */
export const CIPHERTEXT_BLOB_MIN_LENGTH =
  CIPHERTEXT_BLOB_HEADER_LENGTH + CIPHERTEXT_BLOB_IV_LENGTH + CIPHERTEXT_BLOB_TAG_LENGTH;

/**
 * Largest blob a reader accepts: the AWS KMS `CiphertextBlob` limit (6144 bytes), see
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#KMS-Decrypt-request-CiphertextBlob
 */
export const CIPHERTEXT_BLOB_MAX_LENGTH = 6144;

/**
 * Largest plaintext a writer encrypts: the AWS KMS `Plaintext` limit (4096 bytes), see
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html#KMS-Encrypt-request-Plaintext
 * GCM ciphertext is as long as its plaintext, so a writer's sealed data is at most 4096 + 16 bytes.
 */
export const CIPHERTEXT_BLOB_MAX_PLAINTEXT_LENGTH = 4096;

/** Largest sealed data (ciphertext || tag) a writer accepts. */
export const CIPHERTEXT_BLOB_MAX_SEALED_LENGTH =
  CIPHERTEXT_BLOB_MAX_PLAINTEXT_LENGTH + CIPHERTEXT_BLOB_TAG_LENGTH;

/** Key versions are uint32 and start at 1. */
export const CIPHERTEXT_BLOB_MIN_KEY_VERSION = 1;
export const CIPHERTEXT_BLOB_MAX_KEY_VERSION = 0xffff_ffff;

/** Encryption context limits that follow from its uint16 count and length prefixes. */
export const ENCRYPTION_CONTEXT_MAX_ENTRIES = 0xffff;
export const ENCRYPTION_CONTEXT_MAX_FIELD_BYTES = 0xffff;
