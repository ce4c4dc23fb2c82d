import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex } from '../../test/envelope-error.js';
import { serializeEkt } from './serialize.js';

const WRAPPED = Uint8Array.from({ length: 40 }, (_, i) => (i * 5 + 9) & 0xff);

describe('serializeEkt', () => {
  it('should write version, big-endian generation, algorithm and wrapped key when given valid parts', () => {
    const ekt = serializeEkt({ domainGeneration: 0x0a0b0c0d, wrapped: WRAPPED });
    expect(hex(ekt)).toBe('01' + '0a0b0c0d' + '01' + hex(WRAPPED));
  });

  it('should accept the extreme lengths and generations when they are at the limits', () => {
    expect(serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(24) }).length).toBe(30);
    expect(serializeEkt({ domainGeneration: 0xffffffff, wrapped: new Uint8Array(520) }).length).toBe(526);
  });

  it('should not alias the wrapped key when the caller mutates it afterwards', () => {
    const wrapped = WRAPPED.slice();
    const ekt = serializeEkt({ domainGeneration: 1, wrapped });
    wrapped.fill(0);
    expect(ekt.subarray(6)).toEqual(WRAPPED);
  });

  it('Domain generation must be an integer from 1 to 4294967295', () => {
    for (const domainGeneration of [0, -1, 2.5, 2 ** 32, Number.NaN, '1']) {
      expectEnvelopeError(
        () => serializeEkt({ domainGeneration: domainGeneration as number, wrapped: WRAPPED }),
        'BAD_FIELD',
        'Domain generation must be an integer from 1 to 4294967295',
      );
    }
  });

  it('Wrapped key must be a Uint8Array', () => {
    for (const wrapped of [undefined, null, Array.from(WRAPPED), 'AAAA']) {
      expectEnvelopeError(
        () => serializeEkt({ domainGeneration: 1, wrapped: wrapped as unknown as Uint8Array }),
        'BAD_FIELD',
        'Wrapped key must be a Uint8Array',
      );
    }
  });

  it('Wrapped key is shorter than 24 bytes', () => {
    for (const length of [0, 8, 16, 23]) {
      expectEnvelopeError(
        () => serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(length) }),
        'TRUNCATED',
        'Wrapped key is shorter than 24 bytes',
      );
    }
  });

  it('Wrapped key is longer than 520 bytes', () => {
    for (const length of [521, 528, 4096]) {
      expectEnvelopeError(
        () => serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(length) }),
        'TOO_LONG',
        'Wrapped key is longer than 520 bytes',
      );
    }
  });

  it('Wrapped key length is not a multiple of 8', () => {
    for (const length of [25, 31, 39, 519]) {
      expectEnvelopeError(
        () => serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(length) }),
        'BAD_FIELD',
        'Wrapped key length is not a multiple of 8',
      );
    }
  });
});
