/**
 * A "path" is one implementation of the primitives under test (node:crypto, WebCrypto, a PKCS#11
 * token). Each declares up front which parameters it supports; a call with parameters it declared
 * unsupported must throw RefusedError (the runner checks that it really does).
 */

/** Thrown by a path for parameters it declared unsupported. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

export interface AeadParams {
  keyLength: number;
  ivLength: number;
  tagLength: number;
}

export interface AeadPath {
  supports(p: AeadParams): boolean;
  /** Returns ciphertext || tag. */
  encrypt(
    key: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    msg: Uint8Array,
    tagLength: number,
  ): Promise<Uint8Array>;
  /** Takes ciphertext || tag; throws when the message is not authentic. */
  decrypt(
    key: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
    tagLength: number,
  ): Promise<Uint8Array>;
}

export type WrapDirection = 'wrap' | 'unwrap';

export interface KeyWrapPath {
  /** `dataLength`: the key bytes to wrap (wrap) or the wrapped bytes (unwrap). */
  supports(p: { keyLength: number; direction: WrapDirection; dataLength: number }): boolean;
  wrap(key: Uint8Array, msg: Uint8Array): Promise<Uint8Array>;
  unwrap(key: Uint8Array, ct: Uint8Array): Promise<Uint8Array>;
}

export interface WycheproofPath {
  name: string;
  /** AES-GCM; undefined: not offered by this path. */
  aesGcm?: AeadPath;
  /** AES key wrap, RFC 3394. */
  aesKw?: KeyWrapPath;
  /** AES key wrap with padding, RFC 5649. */
  aesKwp?: KeyWrapPath;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
