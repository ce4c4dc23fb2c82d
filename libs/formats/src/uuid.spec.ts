import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex } from '../test/envelope-error.js';
import { bytesToUuid, uuidToBytes } from './uuid.js';

describe('uuidToBytes', () => {
  it('should return the 16 raw bytes in order when given a canonical UUID', () => {
    expect(hex(uuidToBytes('00112233-4455-6677-8899-aabbccddeeff'))).toBe('00112233445566778899aabbccddeeff');
  });

  it('should accept upper-case digits when given an upper-case UUID', () => {
    expect(hex(uuidToBytes('F47AC10B-58CC-4372-A567-0E02B2C3D479'))).toBe('f47ac10b58cc4372a5670e02b2c3d479');
  });

  it.each([
    ['no hyphens', 'f47ac10b58cc4372a5670e02b2c3d479'],
    ['braces', '{f47ac10b-58cc-4372-a567-0e02b2c3d479}'],
    ['a urn prefix', 'urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479'],
    ['one digit short', 'f47ac10b-58cc-4372-a567-0e02b2c3d47'],
    ['one digit extra', 'f47ac10b-58cc-4372-a567-0e02b2c3d4790'],
    ['a non-hex digit', 'g47ac10b-58cc-4372-a567-0e02b2c3d479'],
    ['misplaced hyphens', 'f47ac10b5-8cc-4372-a567-0e02b2c3d479'],
    ['a trailing newline', 'f47ac10b-58cc-4372-a567-0e02b2c3d479\n'],
    ['an empty string', ''],
  ])('should refuse the key id when it has %s', (_defect, value) => {
    expectEnvelopeError(
      () => uuidToBytes(value),
      'BAD_FIELD',
      'Key id must be a UUID in 8-4-4-4-12 hex form',
    );
  });

  it('Key id must be a UUID in 8-4-4-4-12 hex form', () => {
    for (const value of [undefined, null, 42, {}, new Uint8Array(16)]) {
      expectEnvelopeError(
        () => uuidToBytes(value as unknown as string),
        'BAD_FIELD',
        'Key id must be a UUID in 8-4-4-4-12 hex form',
      );
    }
  });
});

describe('bytesToUuid', () => {
  it('should return a lower-case canonical UUID when given 16 bytes', () => {
    const bytes = Uint8Array.from([
      0xf4, 0x7a, 0xc1, 0x0b, 0x58, 0xcc, 0x43, 0x72, 0xa5, 0x67, 0x0e, 0x02, 0xb2, 0xc3, 0xd4, 0x79,
    ]);
    expect(bytesToUuid(bytes)).toBe('f47ac10b-58cc-4372-a567-0e02b2c3d479');
  });

  it('should round-trip with uuidToBytes when given any 16 bytes', () => {
    for (let i = 0; i < 256; i++) {
      const bytes = new Uint8Array(16).map((_, j) => (i * 31 + j * 17) & 0xff);
      expect(uuidToBytes(bytesToUuid(bytes))).toEqual(bytes);
    }
  });

  it('UUID bytes must be exactly 16 bytes', () => {
    for (const value of [new Uint8Array(15), new Uint8Array(17), new Uint8Array(0), [1, 2, 3], 'abc', null]) {
      expectEnvelopeError(
        () => bytesToUuid(value as unknown as Uint8Array),
        'BAD_FIELD',
        'UUID bytes must be exactly 16 bytes',
      );
    }
  });
});
