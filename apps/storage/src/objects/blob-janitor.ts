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
    /** Aborts the uploads begun before a time (MultipartService.expire), and after how long they expire. */
    private readonly uploads?: { expire: (cutoff: Date) => Promise<number>; afterMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs: number): void {
    let busy = false;
    this.timer = setInterval(() => {
      // One run at a time: a run longer than the interval is not joined by another.
      if (busy) return;
      busy = true;
      this.running = this.runOnce()
        .catch((e: unknown) =>
          logger.warn({ err: (e as Error).message }, 'blob sweep failed; retried at the next interval'),
        )
        .finally(() => (busy = false));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<{ dropped: number; orphans: SweepResult; expiredUploads: number }> {
    // What a crash of another replica, or a lost connection, left in the backend (old enough to be dead).
    await this.store.recover();
    // Uploads abandoned long ago: their parts become garbage, deleted below once the grace is over too.
    const expiredUploads = this.uploads
      ? await this.uploads.expire(new Date(this.now() - this.uploads.afterMs))
      : 0;
    const cutoff = new Date(this.now() - this.graceMs);
    const garbage = this.ds.getRepository(BlobGarbageEntity);
    let dropped = 0;
    for (;;) {
      const due = await garbage.find({ where: { droppedAt: LessThan(cutoff) }, take: 500 });
      if (due.length === 0) break;
      // A blob dropped by one row and taken up by another (never expected) is kept: a reference always wins.
      const ids = due.map((g) => g.blobId);
      const inUse = await this.referenced(ids, [UploadPartEntity, ObjectBlobEntity]);
      for (const blobId of ids) if (!inUse.has(blobId)) await this.store.delete(blobId);
      await garbage.delete({ blobId: In(ids) });
      dropped += due.length;
    }
    const orphans = await sweepOrphans(
      this.store,
      (ids) => this.referenced(ids, [UploadPartEntity, ObjectBlobEntity, BlobGarbageEntity]),
      this.graceMs,
      {
        now: this.now,
      },
    );
    return { dropped, orphans, expiredUploads };
  }

  /**
   * Which of `ids` the tables refer to (parts, objects, the garbage list, which is deleted on its own schedule). Asked
   * one after the other in the order a blob moves (a part, then an object's, then garbage), so that a blob moving
   * meanwhile is found by a later question.
   */
  private async referenced(
    ids: string[],
    tables: (typeof UploadPartEntity | typeof ObjectBlobEntity | typeof BlobGarbageEntity)[],
  ): Promise<Set<string>> {
    const found = new Set<string>();
    const where = { blobId: In(ids) };
    for (const entity of tables) {
      const rows = await this.ds.getRepository(entity).find({ where, select: { blobId: true } });
      for (const { blobId } of rows) found.add(blobId);
    }
    return found;
  }
}
