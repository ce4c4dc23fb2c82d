// Test helpers for the chunked encryption specs (excluded from the build by the *.test-helper.ts pattern).
import { expect } from '@jest/globals';
import { createCipheriv, createDecipheriv } from 'node:crypto';

import { EnvelopeError, type EnvelopeErrorCode } from '../errors.js';
import { webCryptoAead, type ChunkAeadFactory } from './aead.js';
import { concatBytes } from '../bytes.js';

/** The outcome of pushing an input through a transform stream. */
export interface StreamRun {
  /** Everything the readable side emitted, concatenated. */
  readonly output: Uint8Array;
  /** The error the readable side ended with, or undefined when it closed cleanly. */
  readonly error: unknown;
  /** What one more read after the error gave: an error again, or the read result. */
  readonly errorAfterwards: unknown;
}

export const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);

/** Writes `input` into `stream` in slices of `sliceSize` bytes while reading its output. */
export async function runStream(
  stream: TransformStream<Uint8Array, Uint8Array>,
  input: Uint8Array,
  sliceSize: number,
): Promise<StreamRun> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const writing = (async () => {
    try {
      for (let offset = 0; offset < input.length; offset += sliceSize) {
        await writer.write(input.slice(offset, offset + sliceSize));
      }
      await writer.close();
    } catch {
      // The readable side reports the error.
    }
  })();
  const parts: Uint8Array[] = [];
  let error: unknown;
  let errorAfterwards: unknown;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      parts.push(value);
    }
  } catch (caught: unknown) {
    error = caught;
    try {
      errorAfterwards = await reader.read();
    } catch (again: unknown) {
      errorAfterwards = again;
    }
  }
  await writing;
  return { output: concat(parts), error, errorAfterwards };
}

/** Asserts that a stream run ended with an EnvelopeError that a further read reports again. */
export function expectStreamError(run: StreamRun, code?: EnvelopeErrorCode, message?: string): void {
  expect(run.error).toBeInstanceOf(EnvelopeError);
  expect(run.errorAfterwards).toBe(run.error);
  if (code !== undefined) {
    expect(run.error).toMatchObject({ code, message });
  }
}

/** Asserts that `promise` rejects with an EnvelopeError of this code and message. */
export async function expectRejection(
  promise: Promise<unknown>,
  code: EnvelopeErrorCode,
  message: string,
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EnvelopeError);
  expect({ code: (caught as EnvelopeError).code, message: (caught as EnvelopeError).message }).toEqual({
    code,
    message,
  });
}

export async function sha512Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', new Uint8Array(bytes)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Deterministic bytes (not random: a counter pattern mixed by a multiplier), for round trips. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** A reader over an in-memory ciphertext for chunkedDecryptRange, recording the requests. */
export function memoryReader(ciphertext: Uint8Array, requests: [number, number][] = []) {
  return async (offset: number, length: number): Promise<Uint8Array> => {
    requests.push([offset, length]);
    return ciphertext.slice(offset, offset + length);
  };
}

/** Byte equality without Jest's element-by-element diffing, which is slow on megabytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/** Counts what the chunk code asks of its AEAD. */
export interface AeadProbe {
  readonly factory: ChunkAeadFactory;
  readonly counts: { keys: number; seals: number; opens: number; inFlight: number; maxInFlight: number };
}

/**
 * Wraps webCryptoAead to count calls and the most operations pending at once; `delay(i)` (milliseconds) holds the
 * i-th operation back, so that operations finish out of order.
 */
export function probeAead(delay: (operation: number) => number = () => 0): AeadProbe {
  const counts = { keys: 0, seals: 0, opens: 0, inFlight: 0, maxInFlight: 0 };
  let operations = 0;
  const track = async <T>(run: () => Promise<T>): Promise<T> => {
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    try {
      const wait = delay(operations++);
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return await run();
    } finally {
      counts.inFlight--;
    }
  };
  const factory: ChunkAeadFactory = async (key) => {
    counts.keys++;
    const inner = await webCryptoAead(key);
    return {
      seal: (nonce, plaintext) => {
        counts.seals++;
        return track(() => inner.seal(nonce, plaintext));
      },
      open: (nonce, sealed) => {
        counts.opens++;
        return track(() => inner.open(nonce, sealed));
      },
    };
  };
  return { factory, counts };
}

/**
 * AES-256-GCM through node:crypto with the synchronous forms, as the SDK's Node binding has it: streams given it take
 * their synchronous path (every whole chunk of a write at once).
 */
export const syncNodeAead: ChunkAeadFactory = async (key) => {
  const sealSync = (nonce: Uint8Array, plaintext: Uint8Array): Uint8Array => {
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
  };
  const openSync = (nonce: Uint8Array, sealed: Uint8Array): Uint8Array => {
    if (sealed.length < 16) throw new EnvelopeError('BAD_TAG', 'Chunk authentication failed');
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
    } catch {
      throw new EnvelopeError('BAD_TAG', 'Chunk authentication failed');
    }
  };
  return { sealSync, openSync, seal: async (n, p) => sealSync(n, p), open: async (n, s) => openSync(n, s) };
};

/** The AEADs every stream test runs with: WebCrypto (chunks in flight) and a synchronous one (whole writes at once). */
export const STREAM_AEADS: readonly [string, ChunkAeadFactory][] = [
  ['WebCrypto', webCryptoAead],
  ['synchronous node:crypto', syncNodeAead],
];
