export * from './aead.js';
export * from './buffer.js';
export * from './format.js';
export {
  chunkedBodyPlaintextLength,
  chunkedCiphertextLength,
  chunkedPlaintextLength,
  type ChunkedOptions,
} from './length.js';
export { chunkNonce, deriveChunkKeys, type ChunkKeys } from './kdf.js';
export { type ChunkedEncryptOptions } from './header.js';
export * from './range.js';
export { hazmatRawChunkedDecrypt, hazmatRawChunkedEncrypt } from './raw.js';
export * from './stream.js';
