import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { BlobStoreError } from './blob-store.js';
import { LocalFolderBlobStore } from './local-folder.store.js';
import { sweepOrphans } from './sweep.js';

async function listIds(store: LocalFolderBlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of store.list()) ids.push(entry.blobId);
  return ids.sort();
}

describe('sweepOrphans', () => {
  let dir: string;
  let store: LocalFolderBlobStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-sweep-'));
    store = new LocalFolderBlobStore(join(dir, 'root'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const none = async (): Promise<Set<string>> => new Set();

  it('the sweep age threshold is a non-negative number of milliseconds', async () => {
    await expect(sweepOrphans(store, none, -1)).rejects.toThrow(BlobStoreError);
    await expect(sweepOrphans(store, none, Number.NaN)).rejects.toThrow(
      'the sweep age threshold is a non-negative number of milliseconds',
    );
  });

  it('the sweep batch size is an integer from 1 to 10000', async () => {
    for (const batchSize of [0, 1.5, 10_001]) {
      await expect(sweepOrphans(store, none, 0, { batchSize })).rejects.toThrow(
        'the sweep batch size is an integer from 1 to 10000',
      );
    }
  });

  it('should look references up in batches of at most batchSize ids when many blobs are old', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await store.put(Readable.from([Buffer.from([i])]))).blobId);
    const referenced = new Set([ids[0], ids[3], ids[6]]);
    const batches: string[][] = [];
    const result = await sweepOrphans(
      store,
      async (batch) => {
        batches.push(batch);
        return new Set(batch.filter((id) => referenced.has(id)));
      },
      60_000,
      { batchSize: 3, now: () => Date.now() + 120_000 },
    );
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat().sort()).toEqual([...ids].sort());
    expect(result).toEqual({ scanned: 7, checked: 7, deleted: 4 });
    expect(await listIds(store)).toEqual([...referenced].sort());
  });

  it('should neither look up nor delete blobs when they are younger than the threshold', async () => {
    const { blobId } = await store.put(Readable.from([Buffer.from('young')]));
    let calls = 0;
    const result = await sweepOrphans(
      store,
      async () => {
        calls++;
        return new Set();
      },
      60_000,
    );
    expect(calls).toBe(0);
    expect(result).toEqual({ scanned: 1, checked: 0, deleted: 0 });
    expect(await listIds(store)).toEqual([blobId]);
  });

  it('should keep every blob and reject when the reference lookup fails', async () => {
    const { blobId } = await store.put(Readable.from([Buffer.from('x')]));
    await expect(
      sweepOrphans(
        store,
        async () => {
          throw new Error('database down');
        },
        0,
        { now: () => Date.now() + 1000 },
      ),
    ).rejects.toThrow('database down');
    expect(await listIds(store)).toEqual([blobId]);
  });
});
