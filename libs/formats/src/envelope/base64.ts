/**
 * Base64 (RFC 4648 section 4: standard alphabet, `=` padding), local to the envelope header. Written here rather
 * than with `Buffer` or `atob` so that it runs the same in Node and browsers and so that only the canonical form
 * is read: `decodeBase64` returns undefined for anything `encodeBase64` would not have written.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES: ReadonlyMap<string, number> = new Map(Array.from(ALPHABET, (c, i) => [c, i]));
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    out += b1 === undefined ? '=' : ALPHABET[(n >> 6) & 63];
    out += b2 === undefined ? '=' : ALPHABET[n & 63];
  }
  return out;
}

/** The bytes of a canonical base64 string (padding present, unused bits zero); undefined for anything else. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!SHAPE.test(text)) {
    return undefined;
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j] as string;
      n = (n << 6) | (c === '=' ? 0 : (VALUES.get(c) as number));
    }
    const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    for (const b of bytes) {
      if (o < out.length) {
        out[o++] = b;
      }
    }
  }
  // Non-zero unused bits before the padding would give a second spelling of the same bytes.
  return encodeBase64(out) === text ? out : undefined;
}
