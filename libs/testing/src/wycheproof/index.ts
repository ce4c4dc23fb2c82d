export { nodeCryptoPath } from './node-path.js';
export {
  type AeadParams,
  type AeadPath,
  type KeyWrapPath,
  RefusedError,
  type WrapDirection,
  type WycheproofPath,
} from './paths.js';
export { pkcs11Path, type TokenPrimitives } from './pkcs11-path.js';
export {
  classify,
  type Counts,
  formatReportTable,
  type Outcome,
  type RunReport,
  runAeadFile,
  runKeyWrapFile,
} from './runner.js';
export {
  type AeadVector,
  DEFAULT_WYCHEPROOF_DIR,
  type KeyWrapVector,
  loadAeadVectors,
  loadKeyWrapVectors,
  type VectorFile,
  wycheproofDir,
  type WycheproofResult,
} from './vectors.js';
export { webCryptoPath } from './webcrypto-path.js';
