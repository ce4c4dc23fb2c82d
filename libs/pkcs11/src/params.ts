/** Parameters the token path supports (pure constants, no pkcs11js: FakeHsm imports them too). */
export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
export const AES_KEY_LENGTHS: readonly number[] = Object.freeze([16, 24, 32]);
/** Largest single C_GenerateRandom request passed on. */
export const MAX_RANDOM_LENGTH = 64 * 1024;
/** AES-256 key material wrapped with RFC 3394: 32 bytes + 8. */
export const WRAPPED_KEY_MATERIAL_LENGTH = 40;
/** HMAC-SHA256 output, and the length of the state-authentication key (CKK_GENERIC_SECRET). */
export const HMAC_SHA256_LENGTH = 32;
