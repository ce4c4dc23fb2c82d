/** The node:crypto path: aes-NNN-gcm (12-byte IV, 16-byte tag only), id-aesNNN-wrap, id-aesNNN-wrap-pad. */
import { createCipheriv, createDecipheriv } from 'node:crypto';

import {
  type AeadParams,
  concatBytes,
  type KeyWrapPath,
  RefusedError,
  type WycheproofPath,
} from './paths.js';

const KEY_LENGTHS = [16, 24, 32];
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const KWP_IV = Buffer.from('a65959a6', 'hex');

function gcmSupported(p: AeadParams): boolean {
  return KEY_LENGTHS.includes(p.keyLength) && p.ivLength === 12 && p.tagLength === 16;
}

function gcmName(keyLength: number): 'aes-128-gcm' {
  return `aes-${keyLength * 8}-gcm` as 'aes-128-gcm';
}

/**
 * node:crypto's id-aesNNN-wrap(-pad) ciphers (OpenSSL EVP) do not check the input length: an empty
 * input "wraps" and "unwraps" to an empty output without an error. The lengths RFC 3394 and RFC 5649
 * allow are therefore checked here, as any caller of these ciphers must.
 */
function checkLengths(padded: boolean, direction: 'wrap' | 'unwrap', length: number): void {
  const ok =
    direction === 'wrap'
      ? padded
        ? length >= 1
        : length >= 16 && length % 8 === 0
      : length % 8 === 0 && length >= (padded ? 16 : 24);
  if (!ok) throw new Error(`${direction}: input length not allowed by ${padded ? 'RFC 5649' : 'RFC 3394'}`);
}

function keyWrap(padded: boolean): KeyWrapPath {
  const name = (keyLength: number) => `id-aes${keyLength * 8}-wrap${padded ? '-pad' : ''}`;
  const iv = padded ? KWP_IV : KW_IV;
  return {
    supports: (p) => KEY_LENGTHS.includes(p.keyLength),
    async wrap(key, msg) {
      if (!KEY_LENGTHS.includes(key.length)) throw new RefusedError('key length');
      checkLengths(padded, 'wrap', msg.length);
      const c = createCipheriv(name(key.length), key, iv);
      return new Uint8Array(Buffer.concat([c.update(msg), c.final()]));
    },
    async unwrap(key, ct) {
      if (!KEY_LENGTHS.includes(key.length)) throw new RefusedError('key length');
      checkLengths(padded, 'unwrap', ct.length);
      const d = createDecipheriv(name(key.length), key, iv);
      return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
    },
  };
}

export function nodeCryptoPath(): WycheproofPath {
  return {
    name: 'node:crypto',
    aesGcm: {
      supports: gcmSupported,
      async encrypt(key, iv, aad, msg, tagLength) {
        if (!gcmSupported({ keyLength: key.length, ivLength: iv.length, tagLength }))
          throw new RefusedError('params');
        const c = createCipheriv(gcmName(key.length), key, iv, { authTagLength: tagLength });
        c.setAAD(aad);
        const ct = Buffer.concat([c.update(msg), c.final()]);
        return concatBytes(ct, c.getAuthTag());
      },
      async decrypt(key, iv, aad, sealed, tagLength) {
        if (!gcmSupported({ keyLength: key.length, ivLength: iv.length, tagLength }))
          throw new RefusedError('params');
        if (sealed.length < tagLength) throw new Error('sealed message shorter than the tag');
        const d = createDecipheriv(gcmName(key.length), key, iv, { authTagLength: tagLength });
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(sealed.length - tagLength));
        return new Uint8Array(
          Buffer.concat([d.update(sealed.subarray(0, sealed.length - tagLength)), d.final()]),
        );
      },
    },
    aesKw: keyWrap(false),
    aesKwp: keyWrap(true),
  };
}
