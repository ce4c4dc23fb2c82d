import { describe, expect, it } from '@jest/globals';

import { decodeHex, encodeHex } from './bytes.js';

describe('encodeHex / decodeHex', () => {
  it('should write two lower-case digits per byte and read them back when given every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = encodeHex(all);
    expect(text).toHaveLength(512);
    expect(text.slice(0, 6)).toBe('000102');
    expect(text.slice(-4)).toBe('feff');
    expect(decodeHex(text)).toEqual(all);
    expect(encodeHex(new Uint8Array(0))).toBe('');
    expect(decodeHex('')).toEqual(new Uint8Array(0));
  });

  it.each(['ABCD', 'abc', 'zz', '0x00', ' 00'])('should refuse %p when it is not lower-case hex', (text) => {
    expect(() => decodeHex(text)).toThrow('not lower-case hex');
  });
});
