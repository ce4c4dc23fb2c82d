import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { chunkedBodyPlaintextLength, chunkedCiphertextLength, chunkedPlaintextLength } from './length.js';

describe('chunkedPlaintextLength', () => {
  it.each([
    [72, 0],
    [73, 1],
    [56 + 16399, 16383],
    [56 + 16400 + 16, 16384],
    [56 + 16400 + 17, 16385],
    [56 + 3 * 16400 + 16, 3 * 16384],
    [56 + 3 * 16400 + 1016, 3 * 16384 + 1000],
  ])('should map a ciphertext of %p bytes to %p plaintext bytes when the length is valid', (ct, pt) => {
    expect(chunkedPlaintextLength(ct)).toBe(pt);
    expect(chunkedCiphertextLength(pt)).toBe(ct);
  });

  it('should invert chunkedCiphertextLength when given every length around chunk boundaries', () => {
    for (let chunks = 0; chunks < 4; chunks++) {
      for (const extra of [0, 1, 2, 100, 16382, 16383]) {
        const length = chunks * 16384 + extra;
        expect(chunkedPlaintextLength(chunkedCiphertextLength(length))).toBe(length);
      }
    }
  });

  it('Chunked ciphertext length must be a non-negative safe integer', () => {
    for (const length of [-1, 72.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY, '72']) {
      expectEnvelopeError(
        () => chunkedPlaintextLength(length as number),
        'BAD_FIELD',
        'Chunked ciphertext length must be a non-negative safe integer',
      );
    }
  });

  it('Chunked ciphertext is shorter than its 56-byte header', () => {
    for (const length of [0, 1, 24, 55]) {
      expectEnvelopeError(
        () => chunkedPlaintextLength(length),
        'TRUNCATED',
        'Chunked ciphertext is shorter than its 56-byte header',
      );
    }
  });

  it('Chunked ciphertext is truncated', () => {
    // No body, a body shorter than a tag, or a body ending with a full chunk (the short final chunk is missing).
    for (const length of [56, 57, 71, 56 + 16400, 56 + 16400 + 15, 56 + 2 * 16400, 56 + 2 * 16400 + 1]) {
      expectEnvelopeError(
        () => chunkedPlaintextLength(length),
        'TRUNCATED',
        'Chunked ciphertext is truncated',
      );
    }
    expectEnvelopeError(
      () => chunkedBodyPlaintextLength(16400),
      'TRUNCATED',
      'Chunked ciphertext is truncated',
    );
  });

  it('Chunked message has more than 2^38 chunks', () => {
    expect(chunkedBodyPlaintextLength((2 ** 38 - 1) * 16400 + 16)).toBe((2 ** 38 - 1) * 16384);
    expectEnvelopeError(
      () => chunkedPlaintextLength(56 + 2 ** 38 * 16400 + 16),
      'TOO_LONG',
      'Chunked message has more than 2^38 chunks',
    );
  });
});

describe('chunkedCiphertextLength', () => {
  it('should add the header and one tag per chunk when given a plaintext length', () => {
    expect(chunkedCiphertextLength(0)).toBe(72);
    expect(chunkedCiphertextLength(16384)).toBe(56 + 16384 + 32);
    expect(chunkedCiphertextLength(2 ** 52 - 1)).toBe(56 + 2 ** 52 - 1 + 2 ** 38 * 16);
  });

  it('Chunked plaintext length must be a non-negative safe integer', () => {
    for (const length of [-1, 0.5, Number.NaN, 2 ** 53, undefined]) {
      expectEnvelopeError(
        () => chunkedCiphertextLength(length as number),
        'BAD_FIELD',
        'Chunked plaintext length must be a non-negative safe integer',
      );
    }
  });

  it('Chunked plaintext needs more than 2^38 chunks', () => {
    expectEnvelopeError(
      () => chunkedCiphertextLength(2 ** 52),
      'TOO_LONG',
      'Chunked plaintext needs more than 2^38 chunks',
    );
  });
});
