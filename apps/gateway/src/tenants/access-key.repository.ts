import type { DataSource } from 'typeorm';

import { AccessKeyEntity, AccountEntity } from './account.entity.js';

export interface Caller {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
  secret: string;
}

export interface AccessKeyCacheLimits {
  /** Active keys found; the oldest is evicted beyond this. */
  hits: number;
  /** Ids not found (attacker-chosen): kept apart so they can never evict a hit; the oldest is evicted beyond this. */
  misses: number;
}

export const DEFAULT_ACCESS_KEY_CACHE_LIMITS: AccessKeyCacheLimits = { hits: 10_000, misses: 1_000 };

/**
 * Access keys by id (the SigV4 lookup), cached for a short TTL; inactive keys are not found. Hits and misses live in
 * two bounded maps, so a flood of random access key ids only churns the small miss cache.
 */
export class AccessKeyRepository {
  private readonly hits: BoundedTtlMap<Caller>;
  private readonly misses: BoundedTtlMap<true>;

  constructor(
    private readonly ds: DataSource,
    ttlMs: number,
    limits: AccessKeyCacheLimits = DEFAULT_ACCESS_KEY_CACHE_LIMITS,
  ) {
    this.hits = new BoundedTtlMap(limits.hits, ttlMs);
    this.misses = new BoundedTtlMap(limits.misses, ttlMs);
  }

  async findActive(accessKeyId: string): Promise<Caller | undefined> {
    const cached = this.hits.get(accessKeyId);
    if (cached) return cached;
    if (this.misses.get(accessKeyId)) return undefined;
    const row = await this.ds
      .getRepository(AccessKeyEntity)
      .findOne({ where: { accessKeyId, status: 'Active' } });
    if (!row) {
      this.misses.set(accessKeyId, true);
      return undefined;
    }
    const caller = {
      accessKeyId: row.accessKeyId,
      accountId: row.accountId,
      principalArn: row.principalArn,
      secret: row.secret,
    };
    this.hits.set(accessKeyId, caller);
    return caller;
  }

  async countAccounts(): Promise<number> {
    return this.ds.getRepository(AccountEntity).count();
  }

  async createAccountWithKey(account: AccountEntity, key: AccessKeyEntity): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.insert(AccountEntity, account);
      await m.insert(AccessKeyEntity, key);
    });
  }
}

/** A Map with a TTL per entry and at most `max` entries: inserting beyond that evicts the oldest insertion. */
class BoundedTtlMap<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {
    /* Precondition: access key cache limits must be positive integers. */
    needs(Number.isInteger(max) && max > 0, 'access key cache limits must be positive integers');
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
}

/* A failed precondition is a programming error in the caller, not a client error: plain Error. */
function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
