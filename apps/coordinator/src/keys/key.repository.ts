import type { DataSource, Repository } from 'typeorm';
import { MoreThan } from 'typeorm';

import { KeyEntity, KeyVersionEntity } from './key.entity.js';
import { KeyTagEntity } from './key-tag.entity.js';

export interface StoredKey {
  key: KeyEntity;
  versions: ReadonlyMap<number, KeyVersionEntity>;
  /** The key's tags (aws:ResourceTag/<key> conditions); absent when not loaded. */
  tags?: Readonly<Record<string, string>>;
}

/** Key queries. Every read names the account that owns the key: there is no query across tenants. */
export class KeyRepository {
  private readonly keys: Repository<KeyEntity>;
  private readonly versions: Repository<KeyVersionEntity>;

  constructor(private readonly ds: DataSource) {
    this.keys = ds.getRepository(KeyEntity);
    this.versions = ds.getRepository(KeyVersionEntity);
  }

  async create(key: KeyEntity, version: KeyVersionEntity): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.insert(KeyEntity, key);
      await m.insert(KeyVersionEntity, version);
    });
  }

  async find(accountId: string, keyId: string): Promise<StoredKey | undefined> {
    const key = await this.keys.findOne({ where: { tenantId: accountId, id: keyId } });
    if (!key) return undefined;
    const [versions, tags] = await Promise.all([
      this.versions.find({ where: { keyId } }),
      this.ds.getRepository(KeyTagEntity).find({ where: { keyId } }),
    ]);
    return {
      key,
      versions: new Map(versions.map((v) => [v.version, v])),
      tags: Object.fromEntries(tags.map((t) => [t.tagKey, t.tagValue])),
    };
  }

  /** Keys of one account ordered by id, after the given id. */
  list(accountId: string, limit: number, afterId?: string): Promise<KeyEntity[]> {
    return this.keys.find({
      where: afterId ? { tenantId: accountId, id: MoreThan(afterId) } : { tenantId: accountId },
      order: { id: 'ASC' },
      take: limit,
    });
  }
}
