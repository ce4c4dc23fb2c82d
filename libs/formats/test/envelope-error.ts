import { expect } from '@jest/globals';

import { EnvelopeError, type EnvelopeErrorCode } from '../src/errors.js';

/** Runs `fn` and returns the EnvelopeError it throws; any other outcome fails the test. */
export function catchEnvelopeError(fn: () => unknown): EnvelopeError {
  let result: unknown;
  try {
    result = fn();
  } catch (error: unknown) {
    if (error instanceof EnvelopeError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected an EnvelopeError, but the call returned ${typeof result}`);
}

/** Asserts that `fn` throws an EnvelopeError with exactly this code and message. */
export function expectEnvelopeError(fn: () => unknown, code: EnvelopeErrorCode, message: string): void {
  const error = catchEnvelopeError(fn);
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
}

/** Small deterministic PRNG (xorshift32) so that garbage inputs are reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

export function randomBytes(next: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = next() & 0xff;
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
