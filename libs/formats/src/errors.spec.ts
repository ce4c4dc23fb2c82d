import { describe, expect, it } from '@jest/globals';

import { ENVELOPE_ERROR_CODES, EnvelopeError } from './errors.js';
import { needs } from './needs.js';

describe('EnvelopeError', () => {
  it('should carry its code, message and name when constructed', () => {
    const error = new EnvelopeError('TRUNCATED', 'Ciphertext blob is empty');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('TRUNCATED');
    expect(error.message).toBe('Ciphertext blob is empty');
    expect(error.name).toBe('EnvelopeError');
  });

  it('should list every code once when ENVELOPE_ERROR_CODES is read', () => {
    expect([...ENVELOPE_ERROR_CODES].sort()).toEqual([
      'BAD_FIELD',
      'BAD_TAG',
      'BAD_VERSION',
      'TOO_LONG',
      'TRUNCATED',
    ]);
    expect(Object.isFrozen(ENVELOPE_ERROR_CODES)).toBe(true);
  });
});

describe('needs', () => {
  it('should return when the condition is truthy', () => {
    expect(() => needs(1, 'unused')).not.toThrow();
    expect(() => needs('x', 'unused')).not.toThrow();
  });

  it.each([false, 0, '', null, undefined, Number.NaN])(
    'should throw a BAD_FIELD EnvelopeError when the condition is %p',
    (condition) => {
      let caught: unknown;
      try {
        needs(condition, 'some fixed message');
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EnvelopeError);
      expect(caught).toMatchObject({ code: 'BAD_FIELD', message: 'some fixed message' });
    },
  );

  it('should throw with the given code when a code is passed', () => {
    expect(() => needs(false, 'too long', 'TOO_LONG')).toThrow(expect.objectContaining({ code: 'TOO_LONG' }));
  });
});
