import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { BlobNotFoundError, BlobStoreError, isBlobId, newBlobId } from './blob-store.js';
import { LocalFolderBlobStore } from './local-folder.store.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LocalFolderBlobStore', () => {
  let dir: string;
  let root: string;
  let store: LocalFolderBlobStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-blobs-'));
    root = join(dir, 'root');
    store = new LocalFolderBlobStore(root);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the blob root is an absolute path', () => {
    expect(() => new LocalFolderBlobStore('relative/blobs')).toThrow(BlobStoreError);
    expect(() => new LocalFolderBlobStore('')).toThrow('the blob root is an absolute path');
  });

  it('a range has integer bounds with 0 <= start <= end < size', async () => {
    const { blobId } = await store.put(Readable.from([Buffer.from('0123456789')]));
    for (const range of [
      { start: -1, end: 2 },
      { start: 3, end: 2 },
      { start: 0, end: 10 },
      { start: 0.5, end: 2 },
      { start: 10, end: 10 },
    ]) {
      await expect(store.get(blobId, range)).rejects.toThrow(
        'a range has integer bounds with 0 <= start <= end < size',
      );
    }
    expect(await readAll(await store.get(blobId, { start: 9, end: 9 }))).toEqual(Buffer.from('9'));
  });

  it('should write the blob under a two-character fan-out folder when put succeeds', async () => {
    const { blobId, size } = await store.put(Readable.from([Buffer.from('hello')]));
    expect(size).toBe(5);
    expect(isBlobId(blobId)).toBe(true);
    expect(existsSync(join(root, 'blobs', blobId.slice(0, 2), blobId))).toBe(true);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('should refuse malformed blob ids as not found when they could name a path', async () => {
    // A file that `../x`-style ids would reach if they became paths.
    mkdirSync(join(root, 'blobs', '..'), { recursive: true });
    writeFileSync(join(root, 'victim'), 'keep me');
    writeFileSync(join(dir, 'x'), 'keep me too');
    const bad = [
      '../x',
      '../../x',
      '..',
      '',
      '/etc/passwd',
      'ab/cd',
      `${newBlobId()}/..`,
      newBlobId() + 'a',
      newBlobId().slice(1),
      'A'.repeat(32),
      'a'.repeat(4096),
      '../victim'.padEnd(32, 'a'),
    ];
    for (const id of bad) {
      await expect(store.get(id)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(store.delete(id)).resolves.toBeUndefined();
    }
    expect(existsSync(join(root, 'victim'))).toBe(true);
    expect(existsSync(join(dir, 'x'))).toBe(true);
  });

  it('should report not found when a well-formed id was never stored', async () => {
    const id = newBlobId();
    const error = await store.get(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobNotFoundError);
    expect((error as BlobNotFoundError).blobId).toBe(id);
  });

  it('should empty tmp when recover runs after a crash left files there', async () => {
    const { blobId } = await store.put(Readable.from([Buffer.from('kept')]));
    mkdirSync(join(root, 'tmp', 'stray-folder'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'stray-folder', 'inner'), 'x');
    writeFileSync(join(root, 'tmp', randomBytes(16).toString('hex')), randomBytes(1000));
    const fresh = new LocalFolderBlobStore(root);
    await fresh.recover();
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(await readAll(await fresh.get(blobId))).toEqual(Buffer.from('kept'));
  });

  it('should keep its own temporary file when recover runs during a put', async () => {
    const body = new PassThrough();
    const put = store.put(body);
    body.write(Buffer.from('first half '));
    await until(() => existsSync(join(root, 'tmp')) && readdirSync(join(root, 'tmp')).length === 1);
    await store.recover();
    expect(readdirSync(join(root, 'tmp'))).toHaveLength(1);
    body.end(Buffer.from('second half'));
    const { blobId } = await put;
    expect((await readAll(await store.get(blobId))).toString()).toBe('first half second half');
  });

  it('should remove the temporary file and reject when the body errors', async () => {
    const body = new PassThrough();
    const put = store.put(body);
    body.write(randomBytes(100_000));
    await until(() => existsSync(join(root, 'tmp')) && readdirSync(join(root, 'tmp')).length === 1);
    body.destroy(new Error('client went away'));
    await expect(put).rejects.toThrow('client went away');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    const listed: string[] = [];
    for await (const entry of store.list()) listed.push(entry.blobId);
    expect(listed).toEqual([]);
  });

  it('should skip stray files when listing', async () => {
    const { blobId } = await store.put(Readable.from([Buffer.from('a')]));
    writeFileSync(join(root, 'blobs', blobId.slice(0, 2), 'not-a-blob'), 'x');
    const other = newBlobId();
    // A well-formed id in the wrong fan-out folder is no blob get() could find.
    const wrongFolder = other.slice(0, 2) === 'ff' ? '00' : 'ff';
    mkdirSync(join(root, 'blobs', wrongFolder), { recursive: true });
    writeFileSync(join(root, 'blobs', wrongFolder, other), 'x');
    writeFileSync(join(root, 'blobs', 'stray'), 'x');
    const listed: string[] = [];
    for await (const entry of store.list()) listed.push(entry.blobId);
    expect(listed).toEqual([blobId]);
  });

  it('should keep serving an open read when the blob is deleted meanwhile', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const { blobId } = await store.put(Readable.from([bytes]));
    const stream = await store.get(blobId);
    await store.delete(blobId);
    const got = await readAll(stream);
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
    await expect(store.get(blobId)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('should list nothing when the folder is new', async () => {
    const listed: string[] = [];
    for await (const entry of store.list()) listed.push(entry.blobId);
    expect(listed).toEqual([]);
  });
});
