export type { Authority, Binding } from './authority.js';
export { CustomerKey, customerKeyId } from './customer-key.js';
export {
  type DecryptOptions,
  type EncryptOptions,
  decryptEnvelope,
  decryptEnvelopeRange,
  decryptEnvelopeStream,
  encryptEnvelope,
  encryptEnvelopeStream,
  envelopeDecryptor,
  envelopeEncryptor,
  inspectEnvelope,
  rewrapEnvelope,
} from './envelope.js';
export { SdkError, type SdkErrorCode } from './errors.js';
export { KmsKey } from './kms-authority.js';
export { type Scheme, schemes } from './recipe.js';
