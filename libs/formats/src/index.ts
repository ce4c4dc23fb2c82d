/**
 * @symbolon/formats: the one place where Symbolon lays out bytes. Pure TypeScript, no workspace or Node imports.
 * Specifications: docs/formats/.
 */
export * from './ciphertext-blob/index.js';
export * from './chunked/index.js';
export * from './ekt/index.js';
export * from './envelope/index.js';
export * from './errors.js';
export * from './needs.js';
export * from './uuid.js';
export { bufferSource, concatBytes, decodeHex, encodeHex } from './bytes.js';
