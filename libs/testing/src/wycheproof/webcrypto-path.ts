/**
 * The WebCrypto path (globalThis.crypto.subtle): AES-GCM and AES-KW. WebCrypto has no RFC 5649 key wrap
 * with padding, so aesKwp is not offered. Node's WebCrypto accepts 192-bit AES keys; Chromium does not.
 */
import { type AeadParams, type KeyWrapPath, RefusedError, type WycheproofPath } from './paths.js';

const KEY_LENGTHS = [16, 24, 32];
/** Tag lengths WebCrypto defines for AES-GCM, in bytes. */
const GCM_TAG_LENGTHS = [4, 8, 12, 13, 14, 15, 16];

/** A copy on a plain ArrayBuffer, as the WebCrypto typings ask for. */
function bytes(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(u);
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('globalThis.crypto.subtle is not available');
  return s;
}

/**
 * The WebCrypto spec allows any non-empty IV, but Node's implementation (checked on Node 20.20) fails
 * AES-GCM encryption with an IV shorter than 12 or longer than 128 bytes (OperationError) while it
 * still decrypts with them. This path declares IVs of 12 to 128 bytes only, in both directions; other
 * IVs (the empty one included) are refused before WebCrypto is called.
 */
const MIN_GCM_IV_LENGTH = 12;
const MAX_GCM_IV_LENGTH = 128;

function gcmSupported(p: AeadParams): boolean {
  return (
    KEY_LENGTHS.includes(p.keyLength) &&
    p.ivLength >= MIN_GCM_IV_LENGTH &&
    p.ivLength <= MAX_GCM_IV_LENGTH &&
    GCM_TAG_LENGTHS.includes(p.tagLength)
  );
}

async function gcmKey(key: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  return subtle().importKey('raw', bytes(key), { name: 'AES-GCM' }, false, [usage]);
}

function keyWrap(): KeyWrapPath {
  const kek = (key: Uint8Array, usage: KeyUsage) =>
    subtle().importKey('raw', bytes(key), { name: 'AES-KW' }, false, [usage]);
  // Arbitrary bytes travel as an extractable HMAC key: WebCrypto wraps keys, not byte strings.
  const hmac = { name: 'HMAC', hash: 'SHA-256' };
  return {
    supports: (p) => KEY_LENGTHS.includes(p.keyLength),
    async wrap(key, msg) {
      if (!KEY_LENGTHS.includes(key.length)) throw new RefusedError('key length');
      const secret = await subtle().importKey('raw', bytes(msg), hmac, true, ['sign']);
      return new Uint8Array(
        await subtle().wrapKey('raw', secret, await kek(key, 'wrapKey'), { name: 'AES-KW' }),
      );
    },
    async unwrap(key, ct) {
      if (!KEY_LENGTHS.includes(key.length)) throw new RefusedError('key length');
      const secret = await subtle().unwrapKey(
        'raw',
        bytes(ct),
        await kek(key, 'unwrapKey'),
        { name: 'AES-KW' },
        hmac,
        true,
        ['sign'],
      );
      return new Uint8Array(await subtle().exportKey('raw', secret));
    },
  };
}

export function webCryptoPath(): WycheproofPath {
  return {
    name: 'WebCrypto',
    aesGcm: {
      supports: gcmSupported,
      async encrypt(key, iv, aad, msg, tagLength) {
        if (!gcmSupported({ keyLength: key.length, ivLength: iv.length, tagLength }))
          throw new RefusedError('params');
        const k = await gcmKey(key, 'encrypt');
        const params = {
          name: 'AES-GCM',
          iv: bytes(iv),
          additionalData: bytes(aad),
          tagLength: tagLength * 8,
        };
        return new Uint8Array(await subtle().encrypt(params, k, bytes(msg)));
      },
      async decrypt(key, iv, aad, sealed, tagLength) {
        if (!gcmSupported({ keyLength: key.length, ivLength: iv.length, tagLength }))
          throw new RefusedError('params');
        const k = await gcmKey(key, 'decrypt');
        const params = {
          name: 'AES-GCM',
          iv: bytes(iv),
          additionalData: bytes(aad),
          tagLength: tagLength * 8,
        };
        return new Uint8Array(await subtle().decrypt(params, k, bytes(sealed)));
      },
    },
    aesKw: keyWrap(),
  };
}
