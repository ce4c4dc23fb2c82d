import { createCipheriv, createDecipheriv } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, fromHex, hex, prng, randomBytes } from '../../test/envelope-error.js';
import { EnvelopeError } from '../errors.js';
import { deserializeEkt } from './deserialize.js';
import { serializeEkt } from './serialize.js';

const WRAPPED = Uint8Array.from({ length: 40 }, (_, i) => (i * 5 + 9) & 0xff);
/** RFC 3394 default initial value. */
const AES_KW_IV = fromHex('a6a6a6a6a6a6a6a6');

function validEkt(): Uint8Array {
  return serializeEkt({ domainGeneration: 3, wrapped: WRAPPED });
}

function unwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  const decipher = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return new Uint8Array(Buffer.concat([decipher.update(wrapped), decipher.final()]));
}

describe('deserializeEkt', () => {
  it('should return every field when given an EKT from serializeEkt', () => {
    expect(deserializeEkt(validEkt())).toEqual({
      version: 1,
      domainGeneration: 3,
      algorithm: 1,
      wrapped: WRAPPED,
    });
  });

  it('should read the fields at the right offsets when the EKT is a view into a larger buffer', () => {
    const ekt = validEkt();
    const backing = new Uint8Array(ekt.length + 9).fill(0xee);
    backing.set(ekt, 5);
    expect(deserializeEkt(backing.subarray(5, 5 + ekt.length))).toEqual(deserializeEkt(ekt));
  });

  it('should return a copy when the caller mutates the input afterwards', () => {
    const ekt = validEkt();
    const parsed = deserializeEkt(ekt);
    ekt.fill(0);
    expect(parsed.wrapped).toEqual(WRAPPED);
  });

  it('should match the RFC 3394 section 4.6 vector when node:crypto wraps a 256-bit key', () => {
    const kek = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const key = fromHex('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f');
    const cipher = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
    const wrapped = new Uint8Array(Buffer.concat([cipher.update(key), cipher.final()]));
    const ekt = serializeEkt({ domainGeneration: 1, wrapped });
    expect(hex(ekt)).toBe(
      '01' +
        '00000001' +
        '01' +
        '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21',
    );
    expect(unwrap(kek, deserializeEkt(ekt).wrapped)).toEqual(key);
  });

  it('should fail the unwrap integrity check when any bit of the wrapped key is flipped', () => {
    const kek = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const cipher = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
    const key = new Uint8Array(32).fill(0x42);
    const ekt = serializeEkt({
      domainGeneration: 1,
      wrapped: new Uint8Array(Buffer.concat([cipher.update(key), cipher.final()])),
    });
    for (let i = 6; i < ekt.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = ekt.slice();
        tampered[i] = (tampered[i] as number) ^ (1 << bit);
        expect(() => unwrap(kek, deserializeEkt(tampered).wrapped)).toThrow();
      }
    }
  });

  it('should refuse the EKT when it is truncated at any offset before 30 bytes', () => {
    const ekt = validEkt();
    expectEnvelopeError(() => deserializeEkt(ekt.subarray(0, 0)), 'TRUNCATED', 'EKT is empty');
    for (let length = 1; length < 6; length++) {
      expectEnvelopeError(
        () => deserializeEkt(ekt.subarray(0, length)),
        'TRUNCATED',
        'EKT is shorter than its 6-byte header',
      );
    }
    for (let length = 6; length < 30; length++) {
      expectEnvelopeError(
        () => deserializeEkt(ekt.subarray(0, length)),
        'TRUNCATED',
        'EKT wrapped key is shorter than 24 bytes',
      );
    }
  });

  it('should refuse or shorten the wrapped key when the EKT is truncated at 30 bytes or more', () => {
    const ekt = validEkt();
    for (let length = 30; length < ekt.length; length++) {
      if ((length - 6) % 8 !== 0) {
        expectEnvelopeError(
          () => deserializeEkt(ekt.subarray(0, length)),
          'BAD_FIELD',
          'EKT wrapped key length is not a multiple of 8',
        );
      } else {
        // Whole blocks cut off: the RFC 3394 integrity check refuses it at unwrap.
        expect(deserializeEkt(ekt.subarray(0, length)).wrapped).toEqual(WRAPPED.subarray(0, length - 6));
      }
    }
  });

  it('should refuse the EKT when its version byte is anything but 0x01', () => {
    for (let version = 0; version < 256; version++) {
      if (version === 1) {
        continue;
      }
      const ekt = validEkt();
      ekt[0] = version;
      expectEnvelopeError(() => deserializeEkt(ekt), 'BAD_VERSION', 'EKT version is not supported');
    }
  });

  it('EKT must be a Uint8Array', () => {
    for (const value of [undefined, null, 'AQ==', Array.from(validEkt()), validEkt().buffer]) {
      expectEnvelopeError(
        () => deserializeEkt(value as unknown as Uint8Array),
        'BAD_FIELD',
        'EKT must be a Uint8Array',
      );
    }
  });

  it('EKT is empty', () => {
    expectEnvelopeError(() => deserializeEkt(new Uint8Array(0)), 'TRUNCATED', 'EKT is empty');
  });

  it('EKT version is not supported', () => {
    expectEnvelopeError(
      () => deserializeEkt(Uint8Array.of(0)),
      'BAD_VERSION',
      'EKT version is not supported',
    );
  });

  it('EKT is shorter than its 6-byte header', () => {
    expectEnvelopeError(
      () => deserializeEkt(Uint8Array.of(1, 0, 0, 0, 1)),
      'TRUNCATED',
      'EKT is shorter than its 6-byte header',
    );
  });

  it('EKT domain generation is zero', () => {
    const ekt = validEkt();
    ekt.set([0, 0, 0, 0], 1);
    expectEnvelopeError(() => deserializeEkt(ekt), 'BAD_FIELD', 'EKT domain generation is zero');
  });

  it('EKT wrap algorithm is not supported', () => {
    for (const algorithm of [0x00, 0x02, 0xff]) {
      const ekt = validEkt();
      ekt[5] = algorithm;
      expectEnvelopeError(() => deserializeEkt(ekt), 'BAD_FIELD', 'EKT wrap algorithm is not supported');
    }
  });

  it('EKT wrapped key is shorter than 24 bytes', () => {
    expectEnvelopeError(
      () => deserializeEkt(validEkt().subarray(0, 29)),
      'TRUNCATED',
      'EKT wrapped key is shorter than 24 bytes',
    );
  });

  it('EKT wrapped key is longer than 520 bytes', () => {
    for (const extra of [8, 1 << 16]) {
      const ekt = new Uint8Array(526 + extra);
      ekt.set(serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(520) }));
      expectEnvelopeError(() => deserializeEkt(ekt), 'TOO_LONG', 'EKT wrapped key is longer than 520 bytes');
    }
  });

  it('EKT wrapped key length is not a multiple of 8', () => {
    const extended = new Uint8Array(validEkt().length + 1);
    extended.set(validEkt());
    expectEnvelopeError(
      () => deserializeEkt(extended),
      'BAD_FIELD',
      'EKT wrapped key length is not a multiple of 8',
    );
  });

  it('should treat a whole appended block as wrapped key when the EKT is extended by 8 bytes', () => {
    // Refused by the RFC 3394 integrity check at unwrap.
    const extended = new Uint8Array(validEkt().length + 8);
    extended.set(validEkt());
    expect(deserializeEkt(extended).wrapped.length).toBe(WRAPPED.length + 8);
  });

  it('should throw only EnvelopeError or return a complete EKT when given garbage', () => {
    const next = prng(0xe1f7);
    let parsed = 0;
    for (let round = 0; round < 2000; round++) {
      const bytes = randomBytes(next, next() % 600);
      if (round % 2 === 0 && bytes.length > 5) {
        bytes[0] = 1;
        bytes[5] = 1;
      }
      let result;
      try {
        result = deserializeEkt(bytes);
      } catch (error: unknown) {
        expect(error).toBeInstanceOf(EnvelopeError);
        continue;
      }
      parsed++;
      expect(serializeEkt(result)).toEqual(bytes);
    }
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(2000);
  });
});
