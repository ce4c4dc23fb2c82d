/**
 * One contract suite, run against both blob stores (a local folder, and JetStream's object store on a real
 * nats-server), plus what only one store has: the SIGKILL crash test of the folder, and the lost connection, damaged
 * blob and grace period of JetStream.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsServer, startNatsServer } from '@symbolon/platform';
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { BlobNotFoundError, type BlobStore, BlobStoreError, newBlobId } from '../../src/blobs/blob-store.js';
import { JetStreamBlobStore } from '../../src/blobs/jetstream.store.js';
import { LocalFolderBlobStore } from '../../src/blobs/local-folder.store.js';
import { sweepOrphans } from '../../src/blobs/sweep.js';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

interface Harness {
  store: BlobStore;
  /**
   * What recover() would remove: tmp files (folder), chunk subjects no description names (JetStream). A put in
   * progress counts too, so tests can wait until part of a body has reached the store.
   */
  leftovers(): Promise<number>;
  cleanup(): Promise<void>;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** `bytes` as a body of uneven pieces, as a network would deliver it. */
function bodyOf(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0, n = 1; i < bytes.length; n++) {
    const len = 1 + ((n * 7919) % 100_003);
    pieces.push(bytes.subarray(i, i + len));
    i += len;
  }
  return Readable.from(pieces);
}

async function listIds(store: BlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of store.list()) ids.push(entry.blobId);
  return ids.sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

function blobStoreContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`${name} (BlobStore contract)`, () => {
    let h: Harness;

    beforeEach(async () => {
      h = await makeHarness();
    });

    afterEach(async () => {
      await h.cleanup();
    });

    it('should return the same bytes and size when blobs of 0 bytes, 1 byte and 5 MiB are put and got', async () => {
      for (const bytes of [Buffer.alloc(0), randomBytes(1), randomBytes(5 * MiB)]) {
        const { blobId, size } = await h.store.put(bodyOf(bytes));
        expect(size).toBe(bytes.length);
        expect(sha256(await readAll(await h.store.get(blobId)))).toBe(sha256(bytes));
      }
    });

    it('should return exactly the requested bytes when ranges are read', async () => {
      const bytes = randomBytes(5 * MiB + 17);
      const { blobId } = await h.store.put(bodyOf(bytes));
      const last = bytes.length - 1;
      const ranges = [
        { start: 0, end: 0 }, // first byte
        { start: last, end: last }, // last byte
        { start: 100_000, end: 300_000 }, // middle, across chunk boundaries
        { start: 131_072, end: 262_143 }, // exactly one 128 KiB chunk
        { start: 5 * MiB - 3, end: last }, // into the short last chunk
        { start: 0, end: last }, // whole
      ];
      for (const range of ranges) {
        const got = await readAll(await h.store.get(blobId, range));
        expect(got.length).toBe(range.end - range.start + 1);
        expect(got.equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
      }
    });

    it('should reject a range when it does not fit in the blob', async () => {
      const { blobId } = await h.store.put(bodyOf(randomBytes(1000)));
      for (const range of [
        { start: 0, end: 1000 },
        { start: 5, end: 4 },
        { start: -1, end: 3 },
      ]) {
        await expect(h.store.get(blobId, range)).rejects.toBeInstanceOf(BlobStoreError);
      }
    });

    it('should report BlobNotFoundError when a blob is got after delete, and delete again without error', async () => {
      const { blobId } = await h.store.put(bodyOf(randomBytes(300_000)));
      await h.store.delete(blobId);
      await expect(h.store.get(blobId)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(h.store.get(blobId, { start: 0, end: 0 })).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(h.store.delete(blobId)).resolves.toBeUndefined();
      expect(await listIds(h.store)).toEqual([]);
    });

    it('should report BlobNotFoundError when the id is unknown or malformed', async () => {
      for (const id of [newBlobId(), '../x', '', 'a/b', 'x'.repeat(300)]) {
        await expect(h.store.get(id)).rejects.toBeInstanceOf(BlobNotFoundError);
        await expect(h.store.delete(id)).resolves.toBeUndefined();
      }
    });

    it('should reject and leave no blob when the body errors mid-way', async () => {
      const kept = await h.store.put(bodyOf(randomBytes(1000)));
      const body = new PassThrough();
      const put = h.store.put(body);
      body.write(randomBytes(MiB));
      await until(async () => (await h.leftovers()) === 1); // part of it has reached the store
      body.destroy(new Error('client went away'));
      await expect(put).rejects.toThrow();
      expect(await listIds(h.store)).toEqual([kept.blobId]);
      expect(await h.leftovers()).toBe(0);
    });

    it('should reject and leave no blob when the body errors before its first byte', async () => {
      const body = new Readable({
        read() {
          this.destroy(new Error('broken at once'));
        },
      });
      await expect(h.store.put(body)).rejects.toThrow('broken at once');
      expect(await listIds(h.store)).toEqual([]);
      expect(await h.leftovers()).toBe(0);
    });

    it('should reject and leave no blob when the body is cut without an error', async () => {
      const body = new PassThrough();
      const put = h.store.put(body);
      body.write(randomBytes(400_000));
      await until(async () => (await h.leftovers()) === 1);
      body.destroy();
      await expect(put).rejects.toThrow();
      expect(await listIds(h.store)).toEqual([]);
      expect(await h.leftovers()).toBe(0);
    });

    it('should store every blob whole when puts run concurrently', async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(300_000 + i * 50_000));
      const results = await Promise.all(bodies.map((b) => h.store.put(bodyOf(b))));
      expect(new Set(results.map((r) => r.blobId)).size).toBe(bodies.length);
      for (const [i, r] of results.entries()) {
        expect(r.size).toBe(bodies[i].length);
        expect(sha256(await readAll(await h.store.get(r.blobId)))).toBe(sha256(bodies[i]));
      }
    });

    it('should list every blob with its creation time when blobs are stored', async () => {
      const before = Date.now();
      const ids = [];
      for (const n of [0, 10, 200_000]) ids.push((await h.store.put(bodyOf(randomBytes(n)))).blobId);
      const after = Date.now();
      const entries = [];
      for await (const entry of h.store.list()) entries.push(entry);
      expect(entries.map((e) => e.blobId).sort()).toEqual(ids.sort());
      for (const { createdAt } of entries) {
        // File system and server clocks are coarser than Date.now: allow a little slack.
        expect(createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(createdAt.getTime()).toBeLessThanOrEqual(after + 1000);
      }
    });

    it('should delete old orphans and keep referenced and young blobs when the sweep runs', async () => {
      const orphan = (await h.store.put(bodyOf(randomBytes(200_000)))).blobId;
      const referenced = (await h.store.put(bodyOf(randomBytes(1000)))).blobId;
      await sleep(1200);
      const mid = Date.now();
      await sleep(1200);
      const young = (await h.store.put(bodyOf(randomBytes(1000)))).blobId;
      const looked: string[][] = [];
      const result = await sweepOrphans(
        h.store,
        async (ids) => {
          looked.push(ids);
          return new Set(ids.filter((id) => id === referenced));
        },
        Date.now() - mid,
        { batchSize: 1 },
      );
      expect(result).toEqual({ scanned: 3, checked: 2, deleted: 1 });
      expect(looked.flat().sort()).toEqual([orphan, referenced].sort());
      expect(await listIds(h.store)).toEqual([referenced, young].sort());
      await expect(h.store.get(orphan)).rejects.toBeInstanceOf(BlobNotFoundError);
    });
  });
}

describe('LocalFolderBlobStore', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-blob-stores-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  blobStoreContract('LocalFolderBlobStore', async () => {
    const root = mkdtempSync(join(dir, 'root-'));
    const store = new LocalFolderBlobStore(root);
    return {
      store,
      leftovers: async () => (existsSync(join(root, 'tmp')) ? readdirSync(join(root, 'tmp')).length : 0),
      cleanup: async () => {
        await store.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  });

  it('should show no partial blob and keep earlier blobs intact when a process is killed in the middle of a put', async () => {
    const root = join(dir, 'crash');
    const store = new LocalFolderBlobStore(root);
    const earlier = [randomBytes(3 * MiB), randomBytes(1)];
    const stored = [];
    for (const bytes of earlier) stored.push({ ...(await store.put(bodyOf(bytes))), digest: sha256(bytes) });

    // The child is this very store, bundled from source, putting an endless body.
    const script = join(dir, 'crash-child.mjs');
    await esbuild.build({
      stdin: {
        contents: [
          "import { Readable } from 'node:stream';",
          "import { LocalFolderBlobStore } from './local-folder.store.js';",
          'const piece = Buffer.alloc(1024 * 1024, 7);',
          'const body = new Readable({ read() { this.push(piece); } });',
          'await new LocalFolderBlobStore(process.argv[2]).put(body);',
        ].join('\n'),
        resolveDir: resolve('apps/storage/src/blobs'),
        sourcefile: 'crash-child.ts',
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [script, root], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.once('exit', (_code, signal) => r(signal)),
    );
    const tmp = join(root, 'tmp');
    await until(() => readdirSync(tmp).some((f) => statSync(join(tmp, f)).size >= 32 * MiB));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(readdirSync(tmp)).toHaveLength(1); // the crash left its temporary file
    const restarted = new LocalFolderBlobStore(root);
    await restarted.recover();
    expect(readdirSync(tmp)).toEqual([]);
    expect(await listIds(restarted)).toEqual(stored.map((s) => s.blobId).sort());
    for (const s of stored) expect(sha256(await readAll(await restarted.get(s.blobId)))).toBe(s.digest);
  });
});

describe('JetStreamBlobStore', () => {
  let dir: string;
  let nats: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let buckets = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-blob-stores-nats-'));
    nats = await startNatsServer({ dir });
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Chunk subjects of `bucket` that no live description names. */
  async function orphanChunkSubjects(bucket: string): Promise<number> {
    const os = await new Objm(nc).open(bucket);
    const live = new Set((await os.list()).filter((i) => !i.deleted).map((i) => i.nuid));
    const prefix = `$O.${bucket}.C.`;
    const si = await jsm.streams.info(`OBJ_${bucket}`, { subjects_filter: `${prefix}>` });
    return Object.keys(si.state.subjects ?? {}).filter((s) => !live.has(s.slice(prefix.length))).length;
  }

  function freshBucket(): string {
    buckets++;
    return `blobs-${buckets}`;
  }

  blobStoreContract('JetStreamBlobStore', async () => {
    const bucket = freshBucket();
    const store = new JetStreamBlobStore(nc, { bucket });
    await store.recover(); // creates the bucket
    return {
      store,
      leftovers: () => orphanChunkSubjects(bucket),
      cleanup: async () => {
        await store.close();
        await jsm.streams.delete(`OBJ_${bucket}`);
      },
    };
  });

  it('the bucket name is 1 to 64 letters, digits, - or _', () => {
    for (const bucket of ['', 'a.b', 'a b', 'x'.repeat(65), '>']) {
      expect(() => new JetStreamBlobStore(nc, { bucket })).toThrow(
        'the bucket name is 1 to 64 letters, digits, - or _',
      );
    }
  });

  it('the chunk size is an integer from 1024 to 1048576 bytes', () => {
    for (const chunkSize of [0, 1023, 1024.5, 1024 * 1024 + 1]) {
      expect(() => new JetStreamBlobStore(nc, { bucket: 'b', chunkSize })).toThrow(
        'the chunk size is an integer from 1024 to 1048576 bytes',
      );
    }
  });

  it('the recover grace is a non-negative number of milliseconds', () => {
    for (const recoverGraceMs of [-1, Number.NaN]) {
      expect(() => new JetStreamBlobStore(nc, { bucket: 'b', recoverGraceMs })).toThrow(
        'the recover grace is a non-negative number of milliseconds',
      );
    }
  });

  it('should hide the blob and let recover purge its chunks once old enough when the connection is lost mid-put', async () => {
    const bucket = freshBucket();
    const store = new JetStreamBlobStore(nc, { bucket, recoverGraceMs: 0 });
    const earlierBytes = randomBytes(700_000);
    const earlier = await store.put(bodyOf(earlierBytes));

    const lost = await connect({ servers: nats.url });
    const doomed = new JetStreamBlobStore(lost, { bucket });
    const body = new PassThrough();
    const put = doomed.put(body);
    body.write(randomBytes(MiB));
    await until(async () => (await orphanChunkSubjects(bucket)) === 1);
    await lost.close();
    body.write(randomBytes(MiB));
    await expect(put).rejects.toThrow();

    expect(await listIds(store)).toEqual([earlier.blobId]);
    // A store with the default grace keeps chunks that may belong to a put still running elsewhere.
    await new JetStreamBlobStore(nc, { bucket }).recover();
    expect(await orphanChunkSubjects(bucket)).toBe(1);
    await store.recover();
    expect(await orphanChunkSubjects(bucket)).toBe(0);
    expect(sha256(await readAll(await store.get(earlier.blobId)))).toBe(sha256(earlierBytes));
    await jsm.streams.delete(`OBJ_${bucket}`);
  });

  it('should fail the read when a chunk of the blob is missing', async () => {
    const bucket = freshBucket();
    const store = new JetStreamBlobStore(nc, { bucket });
    const { blobId } = await store.put(bodyOf(randomBytes(400_000)));
    const info = await (await new Objm(nc).open(bucket)).info(blobId);
    // Drop the first chunk only.
    const first = await jsm.direct.getMessage(`OBJ_${bucket}`, {
      seq: 1,
      next_by_subj: `$O.${bucket}.C.${info!.nuid}`,
    });
    await jsm.streams.deleteMessage(`OBJ_${bucket}`, first!.seq);
    await expect(readAll(await store.get(blobId))).rejects.toThrow('damaged');
    await jsm.streams.delete(`OBJ_${bucket}`);
  });

  it('should cut chunks at the configured size when a chunk size is given', async () => {
    const bucket = freshBucket();
    const store = new JetStreamBlobStore(nc, { bucket, chunkSize: 4096 });
    const bytes = randomBytes(10_000);
    const { blobId } = await store.put(bodyOf(bytes));
    const info = await (await new Objm(nc).open(bucket)).info(blobId);
    expect(info?.chunks).toBe(3);
    const got = await readAll(await store.get(blobId, { start: 4095, end: 8192 }));
    expect(got.equals(bytes.subarray(4095, 8193))).toBe(true);
    await jsm.streams.delete(`OBJ_${bucket}`);
  });

  it('should leave the connection open when the store is closed', async () => {
    const store = new JetStreamBlobStore(nc, { bucket: freshBucket() });
    await store.recover();
    await store.close();
    expect(nc.isClosed()).toBe(false);
    await jsm.streams.delete(`OBJ_${store.bucket}`);
  });
});
