export {
  CKR_TABLE,
  codeForCkr,
  HsmError,
  type HsmErrorCode,
  type HsmOperation,
  toHsmError,
} from './errors.js';
export { FakeHsm } from './fake-hsm.js';
export {
  DEFAULT_KEY_CACHE_SIZE,
  domainKeyLabel,
  type Hsm,
  type HsmHealth,
  type KeyMaterialRef,
  TokenHsm,
  type TokenHsmOptions,
} from './hsm.js';
export {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  IMPORT_KEY_MODULUS_BITS,
  importKeyLabel,
  RSA_MODULUS_BITS,
  type RsaPrivateComponents,
  type RsaPublicComponents,
  SIGNING_KEY_LABEL,
  STATE_KEY_LABEL,
} from './key-formats.js';
export {
  AES_KEY_LENGTHS,
  GCM_IV_LENGTH,
  GCM_TAG_LENGTH,
  HMAC_SHA256_LENGTH,
  MAX_RANDOM_LENGTH,
  WRAPPED_KEY_MATERIAL_LENGTH,
} from './params.js';
export {
  type AesKeyUsage,
  type GenerateAesKeyOptions,
  type GenerateHmacKeyOptions,
  type GenerateKeyPairOptions,
  type GenerateRsaKeyPairOptions,
  type KeyClass,
  KeyHandle,
  type KeyPairHandles,
  type KeyPairUsage,
  type KeyValueAttribute,
  type KeyWrapVariant,
  Pkcs11Token,
  type Pkcs11TokenConfig,
  type PrivateKeyAttributes,
  type SecretKeyAttributes,
  type SecretKeyType,
  type UnwrapAesKeyOptions,
} from './token.js';
