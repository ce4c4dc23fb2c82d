/**
 * The PKCS#11 path: Pkcs11Token primitives, with each vector's key imported into a test token as a
 * session object and destroyed afterwards. Typed structurally so that libs/testing does not import
 * libs/pkcs11 (only the hsm app may); the integration spec passes a real Pkcs11Token.
 *
 * Declared up front, as libs/pkcs11 refuses them with HsmError('UNSUPPORTED_PARAMETERS'):
 * AES-GCM only with a 12-byte IV and a 16-byte tag; AES keys of 16, 24 or 32 bytes; RFC 5649 wrapping
 * only of a multiple of 8 bytes (SoftHSM2 2.6 zero-pads other lengths before wrapping).
 */
import { type AeadParams, RefusedError, type WycheproofPath } from './paths.js';

type Handle = object;
type Variant = 'rfc3394' | 'rfc5649';

/** The subset of Pkcs11Token the runner uses. */
export interface TokenPrimitives {
  importAesKey(value: Uint8Array, usage: 'aead' | 'wrap'): Handle;
  destroy(h: Handle): void;
  aesGcmEncrypt(h: Handle, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  aesGcmDecrypt(h: Handle, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
  aesKeyWrap(wrappingKey: Handle, keyBytesToWrap: Uint8Array, variant?: Variant): Uint8Array;
  aesKeyUnwrap(unwrappingKey: Handle, wrapped: Uint8Array, variant?: Variant): Uint8Array;
}

const KEY_LENGTHS = [16, 24, 32];

function isRefusal(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'UNSUPPORTED_PARAMETERS';
}

/** Runs `fn`; the token's UNSUPPORTED_PARAMETERS becomes RefusedError, anything else passes through. */
function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isRefusal(err)) throw new RefusedError('the token path refused the parameters');
    throw err;
  }
}

export function pkcs11Path(token: TokenPrimitives, name = 'PKCS#11 (SoftHSM2)'): WycheproofPath {
  const withKey = <T>(value: Uint8Array, usage: 'aead' | 'wrap', fn: (h: Handle) => T): T =>
    refusing(() => {
      const h = token.importAesKey(value, usage);
      try {
        return fn(h);
      } finally {
        token.destroy(h);
      }
    });
  const keyWrap = (variant: Variant) => ({
    supports: (p: { keyLength: number; direction: 'wrap' | 'unwrap'; dataLength: number }) =>
      KEY_LENGTHS.includes(p.keyLength) &&
      (variant === 'rfc3394' || p.direction === 'unwrap' || p.dataLength % 8 === 0),
    wrap: async (key: Uint8Array, msg: Uint8Array) =>
      withKey(key, 'wrap', (h) => token.aesKeyWrap(h, msg, variant)),
    unwrap: async (key: Uint8Array, ct: Uint8Array) =>
      withKey(key, 'wrap', (h) => token.aesKeyUnwrap(h, ct, variant)),
  });
  const gcmSupported = (p: AeadParams) =>
    KEY_LENGTHS.includes(p.keyLength) && p.ivLength === 12 && p.tagLength === 16;
  return {
    name,
    aesGcm: {
      supports: gcmSupported,
      async encrypt(key, iv, aad, msg, tagLength) {
        if (tagLength !== 16) throw new RefusedError('tag length');
        return withKey(key, 'aead', (h) => token.aesGcmEncrypt(h, iv, aad, msg));
      },
      async decrypt(key, iv, aad, sealed, tagLength) {
        if (tagLength !== 16) throw new RefusedError('tag length');
        return withKey(key, 'aead', (h) => token.aesGcmDecrypt(h, iv, aad, sealed));
      },
    },
    aesKw: keyWrap('rfc3394'),
    aesKwp: keyWrap('rfc5649'),
  };
}
