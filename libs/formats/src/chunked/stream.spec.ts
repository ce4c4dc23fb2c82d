import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { encryptChunked } from './buffer.js';
import {
  concat,
  expectStreamError,
  patternBytes,
  probeAead,
  runStream,
  sameBytes,
  STREAM_AEADS,
} from './chunked.test-helper.js';
import { chunkedDecryptStream, chunkedEncryptStream } from './stream.js';

const KEY = patternBytes(32, 41);
const CONTEXT = Uint8Array.of(0xde, 0xad, 0x00, 0xbe, 0xef);
const SALT = patternBytes(24, 42);
const CHUNK = 16384;
const SEALED = 16400;
const HEADER = 56;

/** Reads with a deadline; a read that missed it stays outstanding and answers the next call. */
function softReader(reader: ReadableStreamDefaultReader<Uint8Array>) {
  let outstanding: Promise<Uint8Array | 'done'> | undefined;
  return async (): Promise<Uint8Array | 'pending' | 'done'> => {
    outstanding ??= reader.read().then((r) => (r.done ? 'done' : r.value));
    const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 50));
    const result = await Promise.race([outstanding, timeout]);
    if (result !== 'pending') {
      outstanding = undefined;
    }
    return result;
  };
}

describe('chunkedEncryptStream', () => {
  it.each([0, 1, 16383, 16384, 16385, 3 * 16384, 1024 * 1024 + 5])(
    'should emit the bytes of encryptChunked when %p bytes are written in slices of any size',
    async (length) => {
      const message = patternBytes(length, length + 1);
      const expected = await encryptChunked(KEY, CONTEXT, message, { salt: SALT });
      const sizes =
        length <= 16385 ? [1, 13, 16384, 16385, length + 1] : [13, 16384, 16400, 100_000, length + 1];
      for (const size of sizes) {
        const run = await runStream(chunkedEncryptStream(KEY, CONTEXT, { salt: SALT }), message, size);
        expect(run.error).toBeUndefined();
        expect(sameBytes(run.output, expected)).toBe(true);
      }
    },
  );

  it('should keep at most `concurrency` seals of a written piece in flight and keep chunk order when they finish out of order', async () => {
    const message = patternBytes(40 * CHUNK + 3, 5);
    const expected = await encryptChunked(KEY, CONTEXT, message, { salt: SALT });
    for (const concurrency of [1, 4]) {
      const probe = probeAead((i) => (i % 4 === 1 ? 3 : 0));
      const stream = chunkedEncryptStream(KEY, CONTEXT, { salt: SALT, aead: probe.factory, concurrency });
      const run = await runStream(stream, message, 10 * CHUNK + 5);
      expect(sameBytes(run.output, expected)).toBe(true);
      expect(probe.counts).toMatchObject({ keys: 1, seals: 41, maxInFlight: concurrency });
    }
  });

  it('should stop taking input when the readable side is not read', async () => {
    const stream = chunkedEncryptStream(KEY, CONTEXT);
    const writer = stream.writable.getWriter();
    let accepted = 0;
    const writes = Array.from({ length: 64 }, () =>
      writer.write(new Uint8Array(CHUNK)).then(() => accepted++),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted).toBeLessThan(8);
    // Reading everything lets the remaining writes through.
    const reading = runStream(
      { readable: stream.readable, writable: new WritableStream() },
      new Uint8Array(0),
      1,
    );
    await Promise.all(writes);
    await writer.close();
    const run = await reading;
    expect(run.error).toBeUndefined();
    expect(run.output.length).toBe(HEADER + 64 * SEALED + 16);
  });

  it('should error the stream when a written piece is not bytes', async () => {
    const stream = chunkedEncryptStream(KEY, CONTEXT);
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write('text' as unknown as Uint8Array).catch(() => undefined);
    await expect(reader.read()).resolves.toMatchObject({ done: false }); // the header
    await expect(reader.read()).rejects.toMatchObject({
      code: 'BAD_FIELD',
      message: 'Chunked stream input must be a Uint8Array',
    });
  });

  it('should throw at once when the injected salt is not 24 bytes', () => {
    for (const salt of [new Uint8Array(23), new Uint8Array(25)]) {
      expectEnvelopeError(
        () => chunkedEncryptStream(KEY, CONTEXT, { salt }),
        'BAD_FIELD',
        'Chunked encryption salt must be 24 bytes',
      );
    }
  });
});

/**
 * Writes `input` in pieces of `size` and wipes each piece as soon as its write resolved, as a caller reusing its
 * buffer does: the output must not change.
 */
async function runWipingPieces(
  stream: TransformStream<Uint8Array, Uint8Array>,
  input: Uint8Array,
  size: number,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reading = new Response(stream.readable).arrayBuffer();
  for (let offset = 0; offset < input.length; offset += size) {
    const piece = input.slice(offset, offset + size);
    await writer.write(piece);
    piece.fill(0);
  }
  await writer.close();
  return new Uint8Array(await reading);
}

describe.each(STREAM_AEADS)('chunked streams with the %s AEAD', (_name, aead) => {
  it('should read every written piece before its write resolves, so that the caller may reuse it', async () => {
    const message = patternBytes(5 * CHUNK + 77, 12);
    const ciphertext = await encryptChunked(KEY, CONTEXT, message, { salt: SALT });
    for (const size of [1000, CHUNK, 3 * CHUNK + 1]) {
      const sealed = await runWipingPieces(
        chunkedEncryptStream(KEY, CONTEXT, { salt: SALT, aead }),
        message,
        size,
      );
      expect(sameBytes(sealed, ciphertext)).toBe(true);
      const opened = await runWipingPieces(chunkedDecryptStream(KEY, CONTEXT, { aead }), ciphertext, size);
      expect(sameBytes(opened, message)).toBe(true);
    }
  });
});

describe('chunkedDecryptStream', () => {
  it.each([0, 1, 16383, 16384, 16385, 3 * 16384, 1024 * 1024 + 5])(
    'should emit the message when a ciphertext of %p plaintext bytes is written in slices of any size',
    async (length) => {
      const message = patternBytes(length, length + 2);
      const ciphertext = await encryptChunked(KEY, CONTEXT, message);
      const sizes =
        length <= 16385
          ? [1, 55, 57, 16400, 16401, ciphertext.length]
          : [13, 16400, 100_000, ciphertext.length];
      for (const size of sizes) {
        const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), ciphertext, size);
        expect(run.error).toBeUndefined();
        expect(sameBytes(run.output, message)).toBe(true);
      }
    },
  );

  it('should hold back a full-size chunk until more data shows it is not the final one', async () => {
    const message = patternBytes(CHUNK + 100, 3);
    const ciphertext = await encryptChunked(KEY, CONTEXT, message);
    const stream = chunkedDecryptStream(KEY, CONTEXT);
    const writer = stream.writable.getWriter();
    const readSoon = softReader(stream.readable.getReader());
    void writer.write(ciphertext.slice(0, HEADER + SEALED));
    expect(await readSoon()).toBe('pending');
    void writer.write(ciphertext.slice(HEADER + SEALED, HEADER + SEALED + 1));
    const first = await readSoon();
    expect(first).toEqual(message.subarray(0, CHUNK));
    void writer.write(ciphertext.slice(HEADER + SEALED + 1));
    void writer.close();
    expect(await readSoon()).toEqual(message.subarray(CHUNK));
    expect(await readSoon()).toBe('done');
  });

  it('should emit nothing and error when the stream ends right after a full-size chunk', async () => {
    const ciphertext = await encryptChunked(KEY, CONTEXT, patternBytes(2 * CHUNK, 3));
    for (const cut of [HEADER + SEALED, HEADER + 2 * SEALED]) {
      const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), ciphertext.subarray(0, cut), 1000);
      expectStreamError(run, 'TRUNCATED', 'Chunked ciphertext is truncated');
      expect(run.output.length).toBe(cut === HEADER + SEALED ? 0 : CHUNK);
    }
    for (const cut of [HEADER, HEADER + 15, ciphertext.length - 1]) {
      const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), ciphertext.subarray(0, cut), 7);
      expect(run.error).toBeDefined();
      expectStreamError(run);
      expect(run.output.length).toBeLessThanOrEqual(2 * CHUNK);
    }
  });

  it('should error on a stream shorter than the header', async () => {
    for (const length of [0, 1, 55]) {
      const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), new Uint8Array(length), 10);
      expectStreamError(run, 'TRUNCATED', 'Chunked ciphertext is shorter than its 56-byte header');
    }
  });

  it('should emit only the chunks before a tampered one and keep erroring when chunks finish out of order', async () => {
    const message = patternBytes(8 * CHUNK + 9, 7);
    const ciphertext = await encryptChunked(KEY, CONTEXT, message);
    for (const bad of [0, 3, 8]) {
      const tampered = ciphertext.slice();
      tampered[HEADER + bad * SEALED + 5] ^= 1;
      const probe = probeAead((i) => (i % 2 === 0 ? 2 : 0));
      const run = await runStream(
        chunkedDecryptStream(KEY, CONTEXT, { aead: probe.factory }),
        tampered,
        50_000,
      );
      expectStreamError(run, 'BAD_TAG', 'Chunk authentication failed');
      expect(run.output.length).toBe(bad * CHUNK);
      expect(sameBytes(run.output, message.subarray(0, bad * CHUNK))).toBe(true);
      expect(probe.counts.maxInFlight).toBeLessThanOrEqual(4);
    }
  });

  it('should refuse swapped chunks and trailing data when streamed', async () => {
    const ciphertext = await encryptChunked(KEY, CONTEXT, patternBytes(2 * CHUNK + 5, 8));
    const c = [0, 1, 2].map((i) => ciphertext.subarray(HEADER + i * SEALED, HEADER + (i + 1) * SEALED));
    const header = ciphertext.subarray(0, HEADER);
    for (const input of [
      concat([header, c[1], c[0], c[2]]),
      concat([header, c[0], c[0], c[2]]),
      concat([ciphertext, Uint8Array.of(0)]),
      concat([ciphertext, c[2]]),
    ]) {
      const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), input, 4096);
      expectStreamError(run, 'BAD_TAG', 'Chunk authentication failed');
    }
  });

  it('should emit nothing and make no chunk key when the context or key is wrong', async () => {
    const ciphertext = await encryptChunked(KEY, CONTEXT, patternBytes(3 * CHUNK, 9));
    const probe = probeAead();
    for (const [key, context] of [
      [KEY, CONTEXT.subarray(1)],
      [patternBytes(32, 1), CONTEXT],
    ] as const) {
      const run = await runStream(
        chunkedDecryptStream(key, context, { aead: probe.factory }),
        ciphertext,
        9000,
      );
      expectStreamError(run, 'BAD_TAG', 'Chunked ciphertext commitment does not match');
      expect(run.output.length).toBe(0);
    }
    expect(probe.counts.keys).toBe(0);
  });

  it('Chunked stream input must be a Uint8Array', async () => {
    const run = await runStream(chunkedDecryptStream(KEY, CONTEXT), new Uint8Array(0), 1);
    expect(run.error).toBeDefined();
    const stream = chunkedDecryptStream(KEY, CONTEXT);
    const writer = stream.writable.getWriter();
    void writer.write([1, 2, 3] as unknown as Uint8Array).catch(() => undefined);
    await expect(stream.readable.getReader().read()).rejects.toMatchObject({
      code: 'BAD_FIELD',
      message: 'Chunked stream input must be a Uint8Array',
    });
  });

  it('should throw at once when the key or context is bad', () => {
    expectEnvelopeError(
      () => chunkedDecryptStream(new Uint8Array(16), CONTEXT),
      'BAD_FIELD',
      'Chunked encryption input key must be 32 bytes',
    );
    expectEnvelopeError(
      () => chunkedDecryptStream(KEY, 'ctx' as unknown as Uint8Array),
      'BAD_FIELD',
      'Chunked encryption context must be a Uint8Array',
    );
    expectEnvelopeError(
      () => chunkedDecryptStream(KEY, CONTEXT, { concurrency: 0 }),
      'BAD_FIELD',
      'Chunked encryption concurrency must be an integer from 1 to 64',
    );
  });
});
