import { needs } from '../needs.js';
import type { ChunkAead } from './aead.js';
import {
  CHUNKED_CHUNK_SIZE,
  CHUNKED_HEADER_LENGTH,
  CHUNKED_SALT_LENGTH,
  CHUNKED_SEALED_CHUNK_SIZE,
  CHUNKED_TAG_LENGTH,
} from './format.js';
import { startEncryption, verifyHeader, type ChunkedEncryptOptions } from './header.js';
import { checkInputKeyAndContext, chunkNonce } from './kdf.js';
import { isValidFinalChunkLength, resolveChunkedOptions, type ChunkedOptions } from './length.js';
import { concatBytes } from '../bytes.js';
import { checkAeadOutput } from './raw.js';

/** Receives, in order, what a `ByteTransformer` produces: the pieces of one write (never an empty list). */
export type EmitBytes = (pieces: readonly Uint8Array[]) => void;

/**
 * The core of a byte stream, for any stream API to wrap (WHATWG streams here, Node streams in the SDK's Node
 * binding): call `start` once, then `write` each piece in turn, then `end`. Each call resolves once what it produced
 * was emitted; a failure rejects after emitting what came before it (for decryption, only verified plaintext).
 */
export interface ByteTransformer {
  start(): Promise<void>;
  write(input: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/** Collects stream input into owned blocks of `size` bytes, whatever the sizes of the pieces written. */
class BlockCollector {
  private block: Uint8Array | undefined;
  private filled = 0;

  constructor(private readonly size: number) {}

  get length(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.size;
  }

  /** Copies bytes of `input` from `offset` until the block is full; returns the offset after the bytes taken. */
  fill(input: Uint8Array, offset: number): number {
    const available = input.length - offset;
    const take = Math.min(this.size - this.filled, available);
    this.block ??= new Uint8Array(this.size);
    this.block.set(input.subarray(offset, offset + take), this.filled);
    this.filled += take;
    return offset + take;
  }

  /** Returns the collected bytes (owned by the caller) and starts a new block. */
  take(): Uint8Array {
    const bytes = this.block?.subarray(0, this.filled) ?? new Uint8Array(0);
    this.block = undefined;
    this.filled = 0;
    return bytes;
  }
}

/**
 * Seals or opens consecutive chunks of one message, counting their indexes. With a synchronous AEAD it runs them one
 * after the other at once; otherwise with at most `concurrency` in flight.
 */
class ChunkRunner {
  private index = 0;
  private readonly sync: ((nonce: Uint8Array, input: Uint8Array) => Uint8Array) | undefined;
  private readonly async: (nonce: Uint8Array, input: Uint8Array) => Promise<Uint8Array>;
  private readonly lengthChange: number;

  constructor(
    aead: ChunkAead,
    private readonly baseNonce: Uint8Array,
    kind: 'seal' | 'open',
    private readonly concurrency: number,
  ) {
    const sync = kind === 'seal' ? aead.sealSync : aead.openSync;
    this.sync = aead.sealSync && aead.openSync ? sync?.bind(aead) : undefined;
    this.async = (kind === 'seal' ? aead.seal : aead.open).bind(aead);
    this.lengthChange = kind === 'seal' ? CHUNKED_TAG_LENGTH : -CHUNKED_TAG_LENGTH;
  }

  /**
   * The outputs of `inputs` (the next chunks, in order) up to the first that failed, and that failure. Chunks after
   * a failed one are not started, and every chunk started is waited for: the outputs do not depend on timing.
   */
  async run(inputs: readonly Uint8Array[]): Promise<{ outputs: Uint8Array[]; failure?: unknown }> {
    const first = this.index;
    this.index += inputs.length;
    const check = (output: Uint8Array, i: number) =>
      checkAeadOutput(output, inputs[i]!.length + this.lengthChange);
    const { sync } = this;
    if (sync) {
      const outputs: Uint8Array[] = [];
      for (let i = 0; i < inputs.length; i++) {
        try {
          outputs.push(check(sync(chunkNonce(this.baseNonce, first + i), inputs[i]!), i));
        } catch (failure: unknown) {
          return { outputs, failure };
        }
      }
      return { outputs };
    }
    const results: Uint8Array[] = [];
    let failedAt = inputs.length;
    let failure: unknown;
    let next = 0;
    const worker = async (): Promise<void> => {
      // Chunks start in order, so once one failed every chunk before it has started.
      while (next < failedAt) {
        const i = next++;
        try {
          results[i] = check(await this.async(chunkNonce(this.baseNonce, first + i), inputs[i]!), i);
        } catch (error: unknown) {
          if (i < failedAt) [failedAt, failure] = [i, error];
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, inputs.length) }, worker));
    return failedAt === inputs.length
      ? { outputs: results }
      : { outputs: results.slice(0, failedAt), failure };
  }
}

/** Runs `inputs` through `runner`, emits the outputs, then throws the failure if there was one. */
async function runAndEmit(
  runner: ChunkRunner,
  inputs: readonly Uint8Array[],
  emit: EmitBytes,
): Promise<void> {
  if (inputs.length === 0) return;
  const result = await runner.run(inputs);
  if (result.outputs.length > 0) emit(result.outputs);
  if ('failure' in result) throw result.failure;
}

function checkStreamInput(input: unknown): asserts input is Uint8Array {
  /* Precondition: streams carry bytes. */
  needs(input instanceof Uint8Array, 'Chunked stream input must be a Uint8Array');
}

/**
 * Chunked encryption as a `ByteTransformer`: `start` emits salt || commitment, each write emits the chunks it
 * completes, `end` seals the final short chunk. Whole chunks inside a written piece are sealed from it without a
 * copy (the piece is read before the write resolves); only a partial chunk is kept, in one 16 KiB block.
 *
 * @throws EnvelopeError at once on a bad key, context, salt or option.
 */
export function chunkedEncryptor(
  inputKey: Uint8Array,
  context: Uint8Array,
  options: ChunkedEncryptOptions | undefined,
  emit: EmitBytes,
): ByteTransformer {
  checkInputKeyAndContext(inputKey, context);
  const { aead, concurrency } = resolveChunkedOptions(options);
  const salt = options?.salt;
  /* Precondition: an injected salt is 24 bytes. */
  needs(
    salt === undefined || (salt instanceof Uint8Array && salt.length === CHUNKED_SALT_LENGTH),
    'Chunked encryption salt must be 24 bytes',
  );
  const block = new BlockCollector(CHUNKED_CHUNK_SIZE);
  let runner!: ChunkRunner;
  return {
    async start() {
      const { keys, header } = await startEncryption(inputKey, context, salt);
      runner = new ChunkRunner(await aead(keys.key), keys.baseNonce, 'seal', concurrency);
      emit([header]);
    },
    async write(input) {
      checkStreamInput(input);
      const whole: Uint8Array[] = [];
      let offset = 0;
      if (block.length > 0) {
        offset = block.fill(input, offset);
        // A full chunk is never the final one (that one is always short): seal it now.
        if (block.full) whole.push(block.take());
      }
      for (; input.length - offset >= CHUNKED_CHUNK_SIZE; offset += CHUNKED_CHUNK_SIZE) {
        whole.push(input.subarray(offset, offset + CHUNKED_CHUNK_SIZE));
      }
      if (offset < input.length) block.fill(input, offset);
      await runAndEmit(runner, whole, emit);
    },
    async end() {
      await runAndEmit(runner, [block.take()], emit);
    },
  };
}

/**
 * Chunked decryption as a `ByteTransformer`. It checks the commitment before opening any chunk, emits a chunk's
 * plaintext only after its tag verified, holds back a full-size chunk until more data shows it is not the (then
 * invalid) final one, and at the end requires a short final chunk. What it emitted before a failure is a prefix of
 * the message.
 *
 * @throws EnvelopeError at once on a bad key, context or option.
 */
export function chunkedDecryptor(
  inputKey: Uint8Array,
  context: Uint8Array,
  options: ChunkedOptions | undefined,
  emit: EmitBytes,
): ByteTransformer {
  checkInputKeyAndContext(inputKey, context);
  const { aead, concurrency } = resolveChunkedOptions(options);
  const header = new BlockCollector(CHUNKED_HEADER_LENGTH);
  const block = new BlockCollector(CHUNKED_SEALED_CHUNK_SIZE);
  let runner: ChunkRunner | undefined;
  return {
    async start() {},
    async write(input) {
      checkStreamInput(input);
      let offset = 0;
      if (runner === undefined) {
        offset = header.fill(input, offset);
        if (!header.full) return;
        const keys = await verifyHeader(inputKey, context, header.take());
        runner = new ChunkRunner(await aead(keys.key), keys.baseNonce, 'open', concurrency);
      }
      const whole: Uint8Array[] = [];
      if (block.length > 0 && offset < input.length) {
        if (!block.full) offset = block.fill(input, offset);
        // More data follows this full-size chunk, so it is not the final one: open it.
        if (block.full && offset < input.length) whole.push(block.take());
      }
      // Straight from the input, uncopied, every full chunk that more data follows.
      for (; input.length - offset > CHUNKED_SEALED_CHUNK_SIZE; offset += CHUNKED_SEALED_CHUNK_SIZE) {
        whole.push(input.subarray(offset, offset + CHUNKED_SEALED_CHUNK_SIZE));
      }
      if (offset < input.length) block.fill(input, offset);
      await runAndEmit(runner, whole, emit);
    },
    async end() {
      /* Precondition: salt and commitment were received. */
      needs(runner !== undefined, 'Chunked ciphertext is shorter than its 56-byte header', 'TRUNCATED');
      /* Precondition: the stream ends with a short final chunk of at least a tag. */
      needs(isValidFinalChunkLength(block.length), 'Chunked ciphertext is truncated', 'TRUNCATED');
      await runAndEmit(runner, [block.take()], emit);
    },
  };
}

/**
 * A WHATWG TransformStream over a `ByteTransformer`: each write's pieces come out as one piece. A failure errors
 * the stream, which keeps erroring.
 */
export function byteTransformStream(
  make: (emit: EmitBytes) => ByteTransformer,
): TransformStream<Uint8Array, Uint8Array> {
  let emitTo!: TransformStreamDefaultController<Uint8Array>;
  const transformer = make((pieces) =>
    emitTo.enqueue(pieces.length === 1 ? pieces[0]! : concatBytes(...pieces)),
  );
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      emitTo = controller;
      await transformer.start();
    },
    transform: (input) => transformer.write(input),
    flush: () => transformer.end(),
  });
}

/**
 * A stream that encrypts the bytes written to it (in pieces of any size) and emits salt || commitment first, then
 * the encrypted chunks. Memory stays bounded: one 16 KiB block plus the chunks of the piece being written.
 *
 * @throws EnvelopeError at once on a bad key, context, salt or option; later failures error the stream.
 */
export function chunkedEncryptStream(
  inputKey: Uint8Array,
  context: Uint8Array,
  options?: ChunkedEncryptOptions,
): TransformStream<Uint8Array, Uint8Array> {
  return byteTransformStream((emit) => chunkedEncryptor(inputKey, context, options, emit));
}

/**
 * A stream that decrypts a chunked ciphertext written to it in pieces of any size (see `chunkedDecryptor`). On any
 * failure it errors the stream: the readable side keeps erroring, and what it emitted before is a prefix of the
 * message.
 *
 * @throws EnvelopeError at once on a bad key, context or option; ciphertext defects error the stream.
 */
export function chunkedDecryptStream(
  inputKey: Uint8Array,
  context: Uint8Array,
  options?: ChunkedOptions,
): TransformStream<Uint8Array, Uint8Array> {
  return byteTransformStream((emit) => chunkedDecryptor(inputKey, context, options, emit));
}
