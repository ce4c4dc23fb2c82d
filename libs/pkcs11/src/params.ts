/** Parameters the token path supports (pure constants, no pkcs11js: FakeHsm imports them too). */
export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
export const AES_KEY_LENGTHS: readonly number[] = Object.freeze([16, 24, 32]);
/** Largest single C_GenerateRandom request passed on. */
export const MAX_RANDOM_LENGTH = 64 * 1024;
