import { EnvelopeError } from '../errors.js';
import { needs } from '../needs.js';
import { bufferSource } from '../bytes.js';
import { CHUNKED_KEY_LENGTH, CHUNKED_NONCE_LENGTH, CHUNKED_TAG_LENGTH } from './format.js';

/**
 * AES-256-GCM bound to one message key, as chunked encryption uses it: 12-byte nonces, empty AAD, 16-byte tags.
 * Injected so that a faster binding can replace WebCrypto.
 *
 * Implementations must read `nonce` and their input before the returned promise settles and must not keep them;
 * the caller may reuse them afterwards.
 */
export interface ChunkAead {
  /** Encrypts `plaintext`; resolves to ciphertext || 16-byte tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Decrypts ciphertext || tag; rejects with an `EnvelopeError` (code `BAD_TAG`) when the tag does not verify. */
  open(nonce: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional synchronous forms (node:crypto has them; WebCrypto does not): with both, a stream seals or opens every
   * whole chunk of a write in one go and emits them as one piece, instead of a promise and an emission per chunk.
   */
  sealSync?(nonce: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Throws an `EnvelopeError` (code `BAD_TAG`) when the tag does not verify. */
  openSync?(nonce: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** Makes a `ChunkAead` for one 32-byte message key. */
export type ChunkAeadFactory = (key: Uint8Array) => Promise<ChunkAead>;

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

/** The default `ChunkAeadFactory`: AES-256-GCM from WebCrypto (`globalThis.crypto.subtle`), non-extractable key. */
export const webCryptoAead: ChunkAeadFactory = async (key: Uint8Array): Promise<ChunkAead> => {
  /* Precondition: AES-256 takes a 32-byte key. */
  needs(key instanceof Uint8Array && key.length === CHUNKED_KEY_LENGTH, 'Chunk AEAD key must be 32 bytes');
  const cryptoKey = await subtle().importKey('raw', bufferSource(key), { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
  const params = (nonce: Uint8Array): AesGcmParams => {
    /* Precondition: chunk nonces are 12 bytes. */
    needs(
      nonce instanceof Uint8Array && nonce.length === CHUNKED_NONCE_LENGTH,
      'Chunk nonce must be 12 bytes',
    );
    return { name: 'AES-GCM', iv: bufferSource(nonce), tagLength: CHUNKED_TAG_LENGTH * 8 };
  };
  return {
    async seal(nonce: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
      const sealed = await subtle().encrypt(params(nonce), cryptoKey, bufferSource(plaintext));
      return new Uint8Array(sealed);
    },
    async open(nonce: Uint8Array, sealed: Uint8Array): Promise<Uint8Array> {
      const iv = params(nonce);
      let plaintext: ArrayBuffer;
      try {
        plaintext = await subtle().decrypt(iv, cryptoKey, bufferSource(sealed));
      } catch {
        // WebCrypto says only "OperationError": a wrong tag, or input shorter than a tag. Both mean forged input.
        throw new EnvelopeError('BAD_TAG', 'Chunk authentication failed');
      }
      return new Uint8Array(plaintext);
    },
  };
};
