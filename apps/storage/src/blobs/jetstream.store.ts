/**
 * The clustered backend: one NATS JetStream object store bucket, one object per blob (named by the blob id).
 *
 * Layout (NATS ADR-20, the object store spec): a blob's bytes are messages on `$O.<bucket>.C.<nuid>`, cut every
 * `chunkSize` bytes (only the last chunk is shorter); its description (name, nuid, size, SHA-256 digest) is the one
 * message on `$O.<bucket>.M.<base64url(name)>`, published after the last chunk. A put that fails or is cut therefore
 * never has a description: list() and get() never see it. The client purges the chunks of a put whose body errors;
 * chunks left by a lost connection or a crash are purged by recover() once they are older than `recoverGraceMs`.
 *
 * Memory: put() pulls the body one piece at a time (a pull-based web stream, high-water mark 0) and the object store
 * awaits each chunk's acknowledgement before it reads more, so at most about one chunk is held. get() does NOT use the
 * object store's own get(): that one feeds a push consumer into a web stream without looking at its fill level, so a
 * slow reader makes it buffer the whole object. Here each chunk is fetched with a direct get (`next_by_subj` from the
 * last sequence read) only when the Node stream asks for more, so at most `2 * chunkSize` bytes wait in the stream.
 */
import {
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
  type StoredMsg,
  jetstream,
} from '@nats-io/jetstream';
import {
  Base64UrlPaddedCodec,
  type ObjectInfo,
  type ObjectStore,
  Objm,
  setSha256Backend,
} from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import {
  type BlobEntry,
  type BlobStore,
  BlobNotFoundError,
  type ByteRange,
  checkRange,
  isBlobId,
  needs,
  newBlobId,
} from './blob-store.js';

export interface JetStreamBlobStoreOptions {
  /** The object store bucket (letters, digits, `-`, `_`); created if missing. */
  bucket: string;
  /** Bytes per chunk message (default 128 KiB; at most the server's max_payload, 1 MiB by default). */
  chunkSize?: number;
  /** File (default) or memory storage for a bucket this store creates. */
  storage?: StorageType;
  /** Replicas for a bucket this store creates (default 1). */
  replicas?: number;
  /**
   * recover() purges chunks without a description only when their last chunk is older than this (default 15 min), so
   * it never removes the chunks of a put still running in another process. Safe to call at any time, e.g. with the
   * orphan sweep.
   */
  recoverGraceMs?: number;
}

const DEFAULT_CHUNK_SIZE = 128 * 1024;
const DEFAULT_RECOVER_GRACE_MS = 15 * 60_000;
const DIGEST_PREFIX = 'SHA-256=';
/** Direct gets may be served by a replica that lags behind: retry a missing chunk before calling the blob damaged. */
const MISSING_CHUNK_RETRIES = 5;
const MISSING_CHUNK_WAIT_MS = 100;

interface Opened {
  os: ObjectStore;
  jsm: JetStreamManager;
}

export class JetStreamBlobStore implements BlobStore {
  readonly bucket: string;
  readonly stream: string;
  readonly chunkSize: number;
  private readonly js: JetStreamClient;
  private readonly storage: StorageType;
  private readonly replicas: number;
  private readonly recoverGraceMs: number;
  private opened: Promise<Opened> | undefined;

  /** `nats` stays the caller's: close() never closes it. */
  constructor(nats: NatsConnection | JetStreamClient, opts: JetStreamBlobStoreOptions) {
    /* Precondition: the bucket name is 1 to 64 letters, digits, - or _. */
    needs(/^[A-Za-z0-9_-]{1,64}$/.test(opts.bucket), 'the bucket name is 1 to 64 letters, digits, - or _');
    const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
    /* Precondition: the chunk size is an integer from 1024 to 1048576 bytes. */
    needs(
      Number.isInteger(chunkSize) && chunkSize >= 1024 && chunkSize <= 1024 * 1024,
      'the chunk size is an integer from 1024 to 1048576 bytes',
    );
    const grace = opts.recoverGraceMs ?? DEFAULT_RECOVER_GRACE_MS;
    /* Precondition: the recover grace is a non-negative number of milliseconds. */
    needs(Number.isFinite(grace) && grace >= 0, 'the recover grace is a non-negative number of milliseconds');
    this.js = 'jetstreamManager' in nats ? nats : jetstream(nats);
    this.bucket = opts.bucket;
    this.stream = `OBJ_${opts.bucket}`;
    this.chunkSize = chunkSize;
    this.storage = opts.storage ?? StorageType.File;
    this.replicas = opts.replicas ?? 1;
    this.recoverGraceMs = grace;
  }

  async put(body: Readable): Promise<{ blobId: string; size: number }> {
    const { os } = await this.open();
    const blobId = newBlobId();
    try {
      const info = await os.put(
        { name: blobId, options: { max_chunk_size: this.chunkSize } },
        pullStream(body),
      );
      return { blobId, size: info.size };
    } catch (e) {
      body.destroy();
      throw e;
    }
  }

  async get(blobId: string, range?: ByteRange): Promise<Readable> {
    if (!isBlobId(blobId)) throw new BlobNotFoundError(blobId);
    const { os, jsm } = await this.open();
    const info = await os.info(blobId);
    if (info === null || info.deleted) throw new BlobNotFoundError(blobId);
    if (range) checkRange(range, info.size);
    return Readable.from(this.chunks(jsm, info, range), {
      objectMode: false,
      highWaterMark: 2 * this.chunkSize,
    });
  }

  async delete(blobId: string): Promise<void> {
    if (!isBlobId(blobId)) return;
    const { os, jsm } = await this.open();
    const info = await os.info(blobId);
    if (info === null) return;
    // The description first: from then on the blob is gone for list() and get(); chunks a crash leaves in between
    // are purged by recover(). (The object store's own delete() keeps a tombstone per object forever.)
    await jsm.streams.purge(this.stream, { filter: this.metaSubject(blobId) });
    await jsm.streams.purge(this.stream, { filter: this.chunkSubject(info.nuid) });
  }

  /** Walks the descriptions one direct get at a time: no consumer, nothing buffered. `createdAt` is the server's. */
  async *list(): AsyncIterable<BlobEntry> {
    const { jsm } = await this.open();
    for await (const { msg, info } of this.descriptions(jsm)) {
      if (!info.deleted && isBlobId(info.name)) yield { blobId: info.name, createdAt: msg.time };
    }
  }

  /**
   * Purges chunk subjects that no description names (a put cut by a lost connection or a crash) and whose last
   * chunk is older than `recoverGraceMs`, and tombstones left by the object store's own delete(). Holds the set of
   * live nuids and the chunk subject names in memory (about 100 bytes per blob).
   */
  async recover(): Promise<void> {
    const { jsm } = await this.open();
    const live = new Set<string>();
    for await (const { info } of this.descriptions(jsm)) {
      if (info.deleted) await jsm.streams.purge(this.stream, { filter: this.metaSubject(info.name) });
      else live.add(info.nuid);
    }
    const prefix = this.chunkSubject('');
    const si = await jsm.streams.info(this.stream, { subjects_filter: `${prefix}>` });
    for (const subject of Object.keys(si.state.subjects ?? {})) {
      if (live.has(subject.slice(prefix.length))) continue;
      const last = await jsm.direct.getMessage(this.stream, { last_by_subj: subject });
      if (last !== null && Date.now() - last.time.getTime() < this.recoverGraceMs) continue;
      await jsm.streams.purge(this.stream, { filter: subject });
    }
  }

  async close(): Promise<void> {
    // The connection belongs to the caller; the store holds no consumer or subscription between calls.
    this.opened = undefined;
  }

  /**
   * The bytes of a blob, chunk by chunk, fetched only when the reader wants more.
   *
   * Cost of a range: the object store has no offset index, and JetStream cannot fetch "the k-th message of a
   * subject" without walking to it, so serving [start, end] transfers every chunk from the first up to the one holding
   * `end` (one request each); chunks before `start` are dropped as they arrive (memory stays at one chunk), and
   * nothing after `end` is fetched. A range near the end of a large blob costs about as much network as reading it
   * whole. Full reads are checked against the stored size and SHA-256 digest; ranges cannot be.
   */
  private async *chunks(jsm: JetStreamManager, info: ObjectInfo, range?: ByteRange): AsyncGenerator<Buffer> {
    if (info.size === 0) return;
    const start = range?.start ?? 0;
    const end = range?.end ?? info.size - 1;
    const subject = this.chunkSubject(info.nuid);
    const hash = range ? undefined : createHash('sha256');
    let seq = 1;
    let offset = 0; // of the next chunk's first byte
    while (offset <= end) {
      const msg = await this.nextChunk(jsm, subject, seq);
      if (msg === null) throw new Error(`blob ${info.name} is damaged: chunks missing`);
      seq = msg.seq + 1;
      const chunkStart = offset;
      offset += msg.data.length;
      hash?.update(msg.data);
      if (offset <= start) continue;
      const from = Math.max(0, start - chunkStart);
      const to = Math.min(msg.data.length, end - chunkStart + 1);
      yield Buffer.from(msg.data.buffer, msg.data.byteOffset + from, to - from);
    }
    if (hash) {
      const expected = info.digest.startsWith(DIGEST_PREFIX)
        ? Buffer.from(info.digest.slice(DIGEST_PREFIX.length), 'base64url')
        : undefined;
      if (offset !== info.size || (expected !== undefined && !expected.equals(hash.digest()))) {
        throw new Error(`blob ${info.name} is damaged: size or digest mismatch`);
      }
    }
  }

  private async nextChunk(jsm: JetStreamManager, subject: string, seq: number): Promise<StoredMsg | null> {
    for (let attempt = 0; ; attempt++) {
      const msg = await jsm.direct.getMessage(this.stream, { seq, next_by_subj: subject });
      if (msg !== null || attempt >= MISSING_CHUNK_RETRIES) return msg;
      await new Promise((r) => setTimeout(r, MISSING_CHUNK_WAIT_MS));
    }
  }

  /** Every description message (one per object: each put rolls up its subject), in stream order. */
  private async *descriptions(jsm: JetStreamManager): AsyncGenerator<{ msg: StoredMsg; info: ObjectInfo }> {
    const filter = `$O.${this.bucket}.M.>`;
    let seq = 1;
    for (;;) {
      const msg = await jsm.direct.getMessage(this.stream, { seq, next_by_subj: filter });
      if (msg === null) return;
      seq = msg.seq + 1;
      yield { msg, info: msg.json<ObjectInfo>() };
    }
  }

  private chunkSubject(nuid: string): string {
    return `$O.${this.bucket}.C.${nuid}`;
  }

  private metaSubject(name: string): string {
    return `$O.${this.bucket}.M.${Base64UrlPaddedCodec.encode(name)}`;
  }

  private open(): Promise<Opened> {
    this.opened ??= (async () => {
      // The object store hashes every put with a pure-JS SHA-256 by default (about 40 MiB/s here, the bottleneck of a
      // put); node:crypto's is many times faster. Process-wide, and right for every user of @nats-io/obj on Node.
      setSha256Backend('native');
      const jsm = await this.js.jetstreamManager();
      const os = await new Objm(this.js).create(this.bucket, {
        storage: this.storage,
        replicas: this.replicas,
      });
      return { os, jsm };
    })().catch((e: unknown) => {
      this.opened = undefined;
      throw e;
    });
    return this.opened;
  }
}

/**
 * A web stream that reads `body` only when its reader asks (high-water mark 0): Readable.toWeb would let the Node
 * stream flow into the web stream's queue. A body that errors or is destroyed makes the read reject.
 */
function pullStream(body: Readable): ReadableStream<Uint8Array> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
