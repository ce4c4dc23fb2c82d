import { ErrorCodes, KmsError, type TagDto } from '@symbolon/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { In, MoreThan } from 'typeorm';

import { KeyTagEntity } from './key-tag.entity.js';
import { KeyEntity } from './key.entity.js';

/** A key's tags. (State and description changes go through KeyLifecycleRepository.update, guarded by state.) */
export class KeyAdminRepository {
  /** Tag writers of this process, one after another per key (SQLite has one connection and no row locks). */
  private readonly tagQueues = new Map<string, Promise<unknown>>();

  constructor(private readonly ds: DataSource) {}

  /**
   * Adds or overwrites tags; TAG when the key would then carry more than `maxTags`. Count and write happen under a
   * lock on the key (PostgreSQL: its row, FOR UPDATE; SQLite: this process's queue for the key), so concurrent
   * TagResource calls can never exceed the limit together.
   */
  tag(keyId: string, tags: readonly TagDto[], maxTags: number): Promise<void> {
    return this.lockedForTags(keyId, async (m) => {
      const existing = await m
        .getRepository(KeyTagEntity)
        .find({ where: { keyId }, select: { tagKey: true } });
      const keys = new Set(existing.map((t) => t.tagKey));
      for (const t of tags) keys.add(t.tagKey);
      if (keys.size > maxTags) {
        throw new KmsError(ErrorCodes.TAG, `A key can have at most ${maxTags} tags.`);
      }
      if (tags.length === 0) return;
      const rows = tags.map((t) => ({ keyId, tagKey: t.tagKey, tagValue: t.tagValue }));
      await m.getRepository(KeyTagEntity).upsert(rows, ['keyId', 'tagKey']);
    });
  }

  async untag(keyId: string, tagKeys: readonly string[]): Promise<void> {
    if (tagKeys.length === 0) return;
    await this.lockedForTags(keyId, (m) =>
      m.getRepository(KeyTagEntity).delete({ keyId, tagKey: In([...new Set(tagKeys)]) }),
    );
  }

  /** Tags of one key by tag key, after the given tag key. */
  async listTags(keyId: string, limit: number, afterTagKey?: string): Promise<TagDto[]> {
    const rows = await this.ds.getRepository(KeyTagEntity).find({
      where: afterTagKey === undefined ? { keyId } : { keyId, tagKey: MoreThan(afterTagKey) },
      order: { tagKey: 'ASC' },
      take: limit,
    });
    return rows.map((r) => ({ tagKey: r.tagKey, tagValue: r.tagValue }));
  }

  private lockedForTags<T>(keyId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    if (this.ds.options.type === 'postgres') {
      return this.ds.transaction(async (m) => {
        await m
          .getRepository(KeyEntity)
          .createQueryBuilder('k')
          .select('k.id')
          .where('k.id = :keyId', { keyId })
          .setLock('pessimistic_write')
          .getOne();
        return work(m);
      });
    }
    // SQLite: one process owns the file; each write below is a single statement, so queueing per key is enough.
    const run = (this.tagQueues.get(keyId) ?? Promise.resolve()).then(() => work(this.ds.manager));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.tagQueues.set(keyId, settled);
    void settled.then(() => {
      if (this.tagQueues.get(keyId) === settled) this.tagQueues.delete(keyId);
    });
    return run;
  }
}
