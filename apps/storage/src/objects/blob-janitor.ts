import { logger } from '@symbolon/platform';
import { In, LessThan, type DataSource } from 'typeorm';

import type { BlobStore } from '../blobs/blob-store.js';
import { type SweepResult, sweepOrphans } from '../blobs/sweep.js';
import { BlobGarbageEntity, ObjectBlobEntity, UploadPartEntity } from './storage.entities.js';

/**
 * Deletes blobs nobody refers to, after a grace period: dropped ones (a replaced or deleted object, an aborted upload)
 * once `graceMs` has passed since they were dropped, so that reads already streaming them finish; and orphans (stored
 * but never recorded: an upload cut after its blob became durable, or a crash) once they are `graceMs` old, so that an
 * upload about to record its blob keeps it.
 */
export class BlobJanitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly store: BlobStore,
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((e: unknown) =>
        logger.warn({ err: (e as Error).message }, 'blob sweep failed; retried at the next interval'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<{ dropped: number; orphans: SweepResult }> {
    // What a crash of another replica, or a lost connection, left in the backend (old enough to be dead).
    await this.store.recover();
    const cutoff = new Date(this.now() - this.graceMs);
    const garbage = this.ds.getRepository(BlobGarbageEntity);
    let dropped = 0;
    for (;;) {
      const due = await garbage.find({ where: { droppedAt: LessThan(cutoff) }, take: 500 });
      if (due.length === 0) break;
      for (const { blobId } of due) await this.store.delete(blobId);
      await garbage.delete({ blobId: In(due.map((g) => g.blobId)) });
      dropped += due.length;
    }
    const orphans = await sweepOrphans(this.store, (ids) => this.referenced(ids), this.graceMs, {
      now: this.now,
    });
    return { dropped, orphans };
  }

  /** Which of `ids` an object, a part or the garbage list (deleted on its own schedule) refers to. */
  private async referenced(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const where = { blobId: In(ids) };
    for (const rows of await Promise.all([
      this.ds.getRepository(ObjectBlobEntity).find({ where, select: { blobId: true } }),
      this.ds.getRepository(UploadPartEntity).find({ where, select: { blobId: true } }),
      this.ds.getRepository(BlobGarbageEntity).find({ where, select: { blobId: true } }),
    ])) {
      for (const { blobId } of rows) found.add(blobId);
    }
    return found;
  }
}
