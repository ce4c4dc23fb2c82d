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
import { checkInputKeyAndContext } from './kdf.js';
import { isValidFinalChunkLength, resolveChunkedOptions, type ChunkedOptions } from './length.js';
import { concatBytes } from '../bytes.js';
import { chunkNonce } from './kdf.js';
import { checkAeadOutput, openChunk, sealChunk } from './raw.js';

type ChunkOperation = (
  aead: ChunkAead,
  baseNonce: Uint8Array,
  index: number,
  input: Uint8Array,
) => Promise<Uint8Array>;

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
 * Runs chunk operations with at most `concurrency` in flight and emits each result as soon as it and every earlier
 * chunk are done, in chunk order. The first failure errors the stream; nothing after it is emitted.
 */
class ChunkPipeline {
  private readonly emissions: Promise<void>[] = [];
  private last: Promise<void> = Promise.resolve();
  private index = 0;
  private failed = false;

  constructor(
    private readonly operation: ChunkOperation,
    private readonly aead: ChunkAead,
    private readonly baseNonce: Uint8Array,
    private readonly concurrency: number,
    private readonly controller: TransformStreamDefaultController<Uint8Array>,
  ) {}

  /** Waits for room, then starts the operation on the next chunk. */
  async dispatch(input: Uint8Array): Promise<void> {
    while (this.emissions.length >= this.concurrency) {
      await this.emissions.shift();
    }
    const result = this.operation(this.aead, this.baseNonce, this.index++, input);
    // Observed so that a failure behind an earlier one is never reported as unhandled.
    result.catch(() => undefined);
    const emission = this.last.then(async () => {
      this.controller.enqueue(await result);
    });
    emission.catch((error: unknown) => {
      if (!this.failed) {
        this.failed = true;
        this.controller.error(error);
      }
    });
    this.last = emission;
    this.emissions.push(emission);
  }

  /** Waits until every dispatched chunk is emitted; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.emissions.length > 0) {
      await this.emissions.shift();
    }
  }

  /**
   * With a synchronous AEAD: runs `inputs` (the next chunks, in order) at once and emits their results as one piece.
   * On a failure the results before it are emitted first (a valid prefix), then the failure is thrown.
   */
  runNow(inputs: readonly Uint8Array[], run: (nonceIndex: number, input: Uint8Array) => Uint8Array): void {
    // Nothing else is in flight: a stream with a synchronous AEAD dispatches nothing.
    const outputs: Uint8Array[] = [];
    let failure: unknown;
    for (const input of inputs) {
      try {
        outputs.push(run(this.index++, input));
      } catch (e) {
        failure = e;
        break;
      }
    }
    if (outputs.length > 0) this.controller.enqueue(concatBytes(...outputs));
    if (failure !== undefined) throw failure;
  }
}

/** The AEAD's synchronous seal or open of chunk `index`, with the same checks as sealChunk / openChunk; if it has one. */
function syncOperation(
  aead: ChunkAead,
  baseNonce: Uint8Array,
  kind: 'seal' | 'open',
): ((index: number, input: Uint8Array) => Uint8Array) | undefined {
  const { sealSync, openSync } = aead;
  if (!sealSync || !openSync) return undefined;
  return kind === 'seal'
    ? (index, input) =>
        checkAeadOutput(
          sealSync.call(aead, chunkNonce(baseNonce, index), input),
          input.length + CHUNKED_TAG_LENGTH,
        )
    : (index, input) =>
        checkAeadOutput(
          openSync.call(aead, chunkNonce(baseNonce, index), input),
          input.length - CHUNKED_TAG_LENGTH,
        );
}

function checkStreamInput(input: unknown): asserts input is Uint8Array {
  /* Precondition: streams carry bytes. */
  needs(input instanceof Uint8Array, 'Chunked stream input must be a Uint8Array');
}

/**
 * A stream that encrypts the bytes written to it (in pieces of any size) and emits salt || commitment first, then
 * each encrypted chunk. Memory stays bounded: one 16 KiB block being filled plus `concurrency` chunks in flight
 * (and the pieces written). Closing the writable side seals the final short chunk.
 *
 * @throws EnvelopeError at once on a bad key, context, salt or option; later failures error the stream.
 */
export function chunkedEncryptStream(
  inputKey: Uint8Array,
  context: Uint8Array,
  options?: ChunkedEncryptOptions,
): TransformStream<Uint8Array, Uint8Array> {
  checkInputKeyAndContext(inputKey, context);
  const { aead, concurrency } = resolveChunkedOptions(options);
  const salt = options?.salt;
  /* Precondition: an injected salt is 24 bytes. */
  needs(
    salt === undefined || (salt instanceof Uint8Array && salt.length === CHUNKED_SALT_LENGTH),
    'Chunked encryption salt must be 24 bytes',
  );
  const block = new BlockCollector(CHUNKED_CHUNK_SIZE);
  // Set by start(), which the stream runs to completion before calling transform() or flush().
  let pipeline!: ChunkPipeline;
  let sealNow: ((index: number, input: Uint8Array) => Uint8Array) | undefined;

  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      const { keys, header } = await startEncryption(inputKey, context, salt);
      const chunkAead = await aead(keys.key);
      pipeline = new ChunkPipeline(sealChunk, chunkAead, keys.baseNonce, concurrency, controller);
      sealNow = syncOperation(chunkAead, keys.baseNonce, 'seal');
      controller.enqueue(header);
    },
    async transform(input) {
      checkStreamInput(input);
      const whole: Uint8Array[] = [];
      for (let offset = 0; offset < input.length;) {
        offset = block.fill(input, offset);
        if (block.full) {
          // A full chunk is never the final one (that one is always short): seal it now.
          if (sealNow) whole.push(block.take());
          else await pipeline.dispatch(block.take());
        }
      }
      if (sealNow) pipeline.runNow(whole, sealNow);
    },
    async flush() {
      if (sealNow) pipeline.runNow([block.take()], sealNow);
      else await pipeline.dispatch(block.take());
      await pipeline.drain();
    },
  });
}

/**
 * A stream that decrypts a chunked ciphertext written to it in pieces of any size. It checks the commitment before
 * opening any chunk, emits a chunk's plaintext only after its tag verified, holds back a full-size chunk until more
 * data shows it is not the (then invalid) final one, and at the end requires a short final chunk. On any failure it
 * errors the stream: the readable side keeps erroring, and what it emitted before is a prefix of the message.
 *
 * @throws EnvelopeError at once on a bad key, context or option; ciphertext defects error the stream.
 */
export function chunkedDecryptStream(
  inputKey: Uint8Array,
  context: Uint8Array,
  options?: ChunkedOptions,
): TransformStream<Uint8Array, Uint8Array> {
  checkInputKeyAndContext(inputKey, context);
  const { aead, concurrency } = resolveChunkedOptions(options);
  const header = new BlockCollector(CHUNKED_HEADER_LENGTH);
  const block = new BlockCollector(CHUNKED_SEALED_CHUNK_SIZE);
  let pipeline: ChunkPipeline | undefined;
  let openNow: ((index: number, input: Uint8Array) => Uint8Array) | undefined;

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      checkStreamInput(input);
      let offset = 0;
      if (pipeline === undefined) {
        offset = header.fill(input, offset);
        if (!header.full) {
          return;
        }
        const keys = await verifyHeader(inputKey, context, header.take());
        const chunkAead = await aead(keys.key);
        pipeline = new ChunkPipeline(openChunk, chunkAead, keys.baseNonce, concurrency, controller);
        openNow = syncOperation(chunkAead, keys.baseNonce, 'open');
      }
      const whole: Uint8Array[] = [];
      while (offset < input.length) {
        if (block.full) {
          // More data follows this full-size chunk, so it is not the final one: open it.
          if (openNow) whole.push(block.take());
          else await pipeline.dispatch(block.take());
        }
        offset = block.fill(input, offset);
      }
      if (openNow) pipeline.runNow(whole, openNow);
    },
    async flush() {
      /* Precondition: salt and commitment were received. */
      needs(pipeline !== undefined, 'Chunked ciphertext is shorter than its 56-byte header', 'TRUNCATED');
      // Emit what verified first, so that what a cut stream yields before its error does not depend on timing.
      await pipeline.drain();
      /* Precondition: the stream ends with a short final chunk of at least a tag. */
      needs(isValidFinalChunkLength(block.length), 'Chunked ciphertext is truncated', 'TRUNCATED');
      if (openNow) pipeline.runNow([block.take()], openNow);
      else await pipeline.dispatch(block.take());
      await pipeline.drain();
    },
  });
}
