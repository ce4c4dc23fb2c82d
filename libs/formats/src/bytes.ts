/**
 * Byte helpers of the formats. The package exports `bufferSource` (for the SDK's WebCrypto calls), `concatBytes` and
 * the lower-case hex codec `encodeHex` / `decodeHex`; the others are internal.
 */

import { EnvelopeError } from './errors.js';

/**
 * The same bytes typed for WebCrypto, which takes only `ArrayBuffer`-backed views: returns `bytes` itself when it is
 * backed by an `ArrayBuffer`, else a copy (for example of a `SharedArrayBuffer` view).
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a[i] ^ b[i];
  }
  return difference === 0;
}

/** Lower-case hex of `bytes`, two digits a byte (no Buffer: runs in browsers too). */
export function encodeHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += byte.toString(16).padStart(2, '0');
  }
  return text;
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** The bytes of lower-case hex text, as `encodeHex` writes it; throws an `EnvelopeError` on anything else. */
export function decodeHex(text: string): Uint8Array<ArrayBuffer> {
  if (!HEX.test(text)) {
    throw new EnvelopeError('BAD_FIELD', 'not lower-case hex');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Runs `task(0)` .. `task(count - 1)` with at most `concurrency` of them pending at once. Rejects with the first
 * failure; no task starts after a failure.
 */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error: unknown) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
