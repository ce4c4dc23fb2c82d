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
  WRAPPED_KEY_MATERIAL_LENGTH,
} from './hsm.js';
export { AES_KEY_LENGTHS, GCM_IV_LENGTH, GCM_TAG_LENGTH, MAX_RANDOM_LENGTH } from './params.js';
export {
  type AesKeyUsage,
  type GenerateAesKeyOptions,
  KeyHandle,
  type KeyWrapVariant,
  Pkcs11Token,
  type Pkcs11TokenConfig,
  type SecretKeyAttributes,
  type UnwrapAesKeyOptions,
} from './token.js';
