/**
 * The embedded default backend: one file per blob under a root folder.
 *
 *   <root>/tmp/<random>                  a put in progress (removed on failure, emptied by recover())
 *   <root>/blobs/<first 2 hex>/<blobId>  a durable blob (256 fan-out folders)
 *
 * A put writes the temporary file, fsyncs it, renames it into place and fsyncs the folder, so a crash (kill -9,
 * power loss) leaves either nothing visible or the whole blob: never a partial one. Bodies stream through in constant
 * memory (the body is read only as fast as the disk takes it). Blob ids are validated before they become paths, so
 * no id reaches outside the root.
 *
 * Deletes are not fsynced: after a crash a deleted blob may come back, unreferenced, and the orphan sweep removes it.
 * A stream returned by get() holds the file open: read it to the end or destroy it. Needs Node 20.10 or later (the
 * `flush` option of fs.createWriteStream).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, opendir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

const WRITE_HIGH_WATER_MARK = 1024 * 1024;
const READ_HIGH_WATER_MARK = 256 * 1024;

export class LocalFolderBlobStore implements BlobStore {
  readonly tmpDir: string;
  readonly blobsDir: string;
  private dirsReady: Promise<void> | undefined;
  /** Temporary files of this instance's puts in progress: recover() leaves them alone. */
  private readonly inFlight = new Set<string>();

  constructor(readonly root: string) {
    /* Precondition: the blob root is an absolute path. */
    needs(typeof root === 'string' && isAbsolute(root), 'the blob root is an absolute path');
    this.tmpDir = join(root, 'tmp');
    this.blobsDir = join(root, 'blobs');
  }

  async put(body: Readable): Promise<{ blobId: string; size: number }> {
    await this.dirs();
    const blobId = newBlobId();
    const tmp = join(this.tmpDir, randomBytes(16).toString('hex'));
    this.inFlight.add(tmp);
    try {
      // `flush` fsyncs the file before the stream closes, and pipeline resolves only once it has closed.
      const out = createWriteStream(tmp, {
        flags: 'wx',
        mode: 0o600,
        flush: true,
        highWaterMark: WRITE_HIGH_WATER_MARK,
      });
      await pipeline(body, out);
      const size = out.bytesWritten;
      const fanOut = join(this.blobsDir, blobId.slice(0, 2));
      // mkdir reports the first folder it created: make that new entry of blobs/ durable too.
      if ((await mkdir(fanOut, { recursive: true, mode: 0o700 })) !== undefined)
        await fsyncDir(this.blobsDir);
      await rename(tmp, join(fanOut, blobId));
      await fsyncDir(fanOut);
      return { blobId, size };
    } catch (e) {
      body.destroy();
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    } finally {
      this.inFlight.delete(tmp);
    }
  }

  async get(blobId: string, range?: ByteRange): Promise<Readable> {
    if (!isBlobId(blobId)) throw new BlobNotFoundError(blobId);
    let file: FileHandle;
    try {
      file = await open(this.blobPath(blobId), 'r');
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFoundError(blobId);
      throw e;
    }
    try {
      if (range) checkRange(range, (await file.stat()).size);
      // autoClose (the default) closes the handle at the end of the stream or when it is destroyed.
      return file.createReadStream({
        start: range?.start,
        end: range?.end,
        highWaterMark: READ_HIGH_WATER_MARK,
      });
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  async delete(blobId: string): Promise<void> {
    if (!isBlobId(blobId)) return;
    await rm(this.blobPath(blobId), { force: true });
  }

  async *list(): AsyncIterable<BlobEntry> {
    const top = await opendirIfPresent(this.blobsDir);
    if (!top) return;
    for await (const fanOut of top) {
      if (!fanOut.isDirectory() || !/^[0-9a-f]{2}$/.test(fanOut.name)) continue;
      const dir = await opendirIfPresent(join(this.blobsDir, fanOut.name));
      if (!dir) continue;
      for await (const entry of dir) {
        if (!entry.isFile() || !isBlobId(entry.name) || entry.name.slice(0, 2) !== fanOut.name) continue;
        const st = await stat(join(this.blobsDir, fanOut.name, entry.name)).catch((e: unknown) => {
          if (isNotFound(e)) return undefined; // deleted meanwhile
          throw e;
        });
        // ctime >= mtime (the last byte written), and the rename into place updates it on common file systems.
        if (st) yield { blobId: entry.name, createdAt: new Date(Math.max(st.ctimeMs, st.mtimeMs)) };
      }
    }
  }

  /** Empties tmp/ (except this instance's puts in progress). Only this process may use the folder. */
  async recover(): Promise<void> {
    await this.dirs();
    const dir = await opendir(this.tmpDir);
    for await (const entry of dir) {
      const path = join(this.tmpDir, entry.name);
      if (!this.inFlight.has(path)) await rm(path, { force: true, recursive: true });
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private blobPath(blobId: string): string {
    return join(this.blobsDir, blobId.slice(0, 2), blobId);
  }

  private dirs(): Promise<void> {
    this.dirsReady ??= (async () => {
      await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
      await mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
      await fsyncDir(this.root);
    })().catch((e: unknown) => {
      this.dirsReady = undefined;
      throw e;
    });
    return this.dirsReady;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function opendirIfPresent(dir: string) {
  try {
    return await opendir(dir);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
