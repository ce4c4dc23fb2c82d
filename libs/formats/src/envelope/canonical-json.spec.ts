import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { type CanonicalJsonValue, canonicalJson, canonicalJsonBytes } from './canonical-json.js';

describe('canonicalJson', () => {
  it('should sort keys at every level and write no whitespace when given nested objects', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 'x' }], a: { d: '', c: 0 } })).toBe(
      '{"a":{"c":0,"d":""},"b":[{"a":"x","z":1}]}',
    );
  });

  it('should order keys by UTF-16 code units when keys lie outside the BMP', () => {
    // U+1F600 is D83D DE00 in UTF-16 and sorts before U+FF61, although its UTF-8 bytes (F0 ...) sort after.
    expect(canonicalJson({ '\uFF61': 'a', '\u{1F600}': 'b', B: 'c', a: 'd' })).toBe(
      '{"B":"c","a":"d","\u{1F600}":"b","\uFF61":"a"}',
    );
  });

  it('should write strings as JSON.stringify does when they need escapes', () => {
    expect(canonicalJson(['"\\\n\u0001é/'])).toBe('["\\"\\\\\\n\\u0001é/"]');
  });

  it('should encode as UTF-8 when bytes are asked for', () => {
    expect(Array.from(canonicalJsonBytes({ é: 'x' }))).toEqual([
      0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x22, 0x78, 0x22, 0x7d,
    ]);
  });

  it('Envelope strings must be well-formed Unicode', () => {
    for (const value of ['\uD800', 'a\uDC00', { '\uD83Dx': 'y' }]) {
      expectEnvelopeError(
        () => canonicalJson(value),
        'BAD_FIELD',
        'Envelope strings must be well-formed Unicode',
      );
    }
  });

  it('Canonical JSON numbers must be safe integers', () => {
    for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expectEnvelopeError(
        () => canonicalJson([value]),
        'BAD_FIELD',
        'Canonical JSON numbers must be safe integers',
      );
    }
  });

  it('Canonical JSON holds only strings, integers, arrays and objects', () => {
    for (const value of [null, true, undefined, new Uint8Array(1), { a: null }]) {
      expectEnvelopeError(
        () => canonicalJson(value as unknown as CanonicalJsonValue),
        'BAD_FIELD',
        'Canonical JSON holds only strings, integers, arrays and objects',
      );
    }
  });
});

describe('base64', () => {
  it('should match RFC 4648 section 10 when given its test vectors', () => {
    const vectors = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    vectors.forEach((encoded, i) => {
      const raw = new TextEncoder().encode('foobar'.slice(0, i));
      expect(encodeBase64(raw)).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(raw);
    });
  });

  it('should use + and / when bytes map to the last two symbols', () => {
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('+/+/');
  });

  it('should round-trip every length when given arbitrary bytes', () => {
    for (let length = 0; length < 70; length++) {
      const raw = Uint8Array.from({ length }, (_, i) => (i * 97 + length) & 0xff);
      expect(decodeBase64(encodeBase64(raw))).toEqual(raw);
    }
  });

  it('should refuse every non-canonical spelling when decoding', () => {
    for (const text of ['Zg', 'Zg=', 'Zh==', 'Zm9=', 'Zm9v\n', ' Zm9v', 'Zm-v', 'Zm_v', '====', 'Zg==Zg==']) {
      expect(decodeBase64(text)).toBeUndefined();
    }
  });
});
