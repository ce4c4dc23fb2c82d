/**
 * c2sp.org/chunked-encryption ("Cobblestone-256"): constants.
 *
 * Specification: https://c2sp.org/chunked-encryption, instantiated with HKDF-Expand over SHA-512 and
 * AEAD_AES_256_GCM. Symbolon's notes and byte table: docs/formats/chunked-encryption.md.
 *
 * Layout:
 *
 * | offset                  | length       | field                                         |
 * | ----------------------- | ------------ | --------------------------------------------- |
 * | 0                       | 24           | salt                                          |
 * | 24                      | 32           | key commitment                                |
 * | 56 + k * 16400          | 16400        | chunk k (not final): 16384-byte body \|\| tag |
 * | 56 + (n - 1) * 16400    | 16 .. 16399  | final chunk n - 1: 0..16383-byte body \|\| tag |
 *
 * Everything here is frozen: changing a value changes the wire format.
 */

/** Length of the input key and of the derived AES-256-GCM key. */
export const CHUNKED_KEY_LENGTH = 32;
/** Length of the AES-GCM nonce and of the derived base nonce. */
export const CHUNKED_NONCE_LENGTH = 12;
/** Length of the per-message salt, the first field of the ciphertext. */
export const CHUNKED_SALT_LENGTH = 24;
/** Length of the key commitment, the second field of the ciphertext. */
export const CHUNKED_COMMITMENT_LENGTH = 32;
/** Length of the header: salt || commitment. */
export const CHUNKED_HEADER_LENGTH = CHUNKED_SALT_LENGTH + CHUNKED_COMMITMENT_LENGTH;
/** Length of the AES-GCM tag that ends every encrypted chunk. */
export const CHUNKED_TAG_LENGTH = 16;
/** Plaintext bytes in every chunk but the final one (16 KiB); the final chunk is always shorter, possibly empty. */
export const CHUNKED_CHUNK_SIZE = 16384;
/** Encrypted length of every chunk but the final one. */
export const CHUNKED_SEALED_CHUNK_SIZE = CHUNKED_CHUNK_SIZE + CHUNKED_TAG_LENGTH;
/** A message has at most 2^38 chunks (4 PiB); chunk indexes are below this. */
export const CHUNKED_MAX_CHUNKS = 2 ** 38;
/** The AEAD's name in the IANA AEAD registry, part of the HKDF info. */
export const CHUNKED_AEAD_NAME = 'AEAD_AES_256_GCM';
/** The fixed prefix of the HKDF info. */
export const CHUNKED_INFO_PREFIX = 'c2sp.org/chunked-encryption@v1+';
/** Length of the HKDF-Expand output: key || base nonce || commitment. */
export const CHUNKED_DERIVED_LENGTH = CHUNKED_KEY_LENGTH + CHUNKED_NONCE_LENGTH + CHUNKED_COMMITMENT_LENGTH;
/** Chunk operations (seal or open) kept in flight by default, so that WebCrypto can use several cores. */
export const CHUNKED_DEFAULT_CONCURRENCY = 4;
/** Largest accepted `concurrency` option. */
export const CHUNKED_MAX_CONCURRENCY = 64;
