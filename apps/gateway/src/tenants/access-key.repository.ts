import { BoundedTtlMap } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { AccessKeyEntity, AccountEntity } from './account.entity.js';
import { type SecretWrapper, sealAccessKey } from './secret-wrapper.js';
import { UserEntity } from './user.entity.js';

export interface Caller {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
  secret: string;
  /** The user's tags (aws:PrincipalTag/<key>); absent when it has none. */
  principalTags?: Record<string, string>;
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
    private readonly deps: {
      /** Keys changed in this process: dropped from both caches, so the next lookup reads the database. */
      changes?: AccessKeyChanges;
      /** Wraps secrets before they are stored and unwraps them on a cache miss. */
      secrets?: SecretWrapper;
    } = {},
  ) {
    /* Precondition: access key cache limits must be positive integers. */
    needs(
      [limits.hits, limits.misses].every((n) => Number.isInteger(n) && n > 0),
      'access key cache limits must be positive integers',
    );
    this.hits = new BoundedTtlMap(limits.hits, ttlMs);
    this.misses = new BoundedTtlMap(limits.misses, ttlMs);
    deps.changes?.onChange((accessKeyId) => {
      this.hits.delete(accessKeyId);
      this.misses.delete(accessKeyId);
    });
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
    const user = await this.ds.getRepository(UserEntity).findOne({ where: { arn: row.principalArn } });
    const tags = user?.tags ? (JSON.parse(user.tags) as Record<string, string>) : undefined;
    const caller: Caller = {
      accessKeyId: row.accessKeyId,
      accountId: row.accountId,
      principalArn: row.principalArn,
      secret: row.secretWrapped ? await this.unwrap(row.secret, row.accessKeyId) : row.secret,
      ...(tags && Object.keys(tags).length > 0 ? { principalTags: tags } : {}),
    };
    this.hits.set(accessKeyId, caller);
    return caller;
  }

  async countAccounts(): Promise<number> {
    return this.ds.getRepository(AccountEntity).count();
  }

  /** The key's secret is wrapped before the transaction: a failed wrap stores nothing. */
  async createAccountWithKey(account: AccountEntity, key: AccessKeyEntity, user?: UserEntity): Promise<void> {
    const stored = await sealAccessKey(key, this.deps.secrets);
    await this.ds.transaction(async (m) => {
      await m.insert(AccountEntity, account);
      if (user) await m.insert(UserEntity, user);
      await m.insert(AccessKeyEntity, stored);
    });
  }

  private async unwrap(wrapped: string, accessKeyId: string): Promise<string> {
    /* Precondition: a wrapped secret needs a secret wrapper. */
    needs(this.deps.secrets, 'a wrapped secret needs a secret wrapper');
    return this.deps.secrets.unwrap(wrapped, accessKeyId);
  }
}

/**
 * Announces access keys that were changed (deactivated, reactivated, deleted) in this gateway, so caches drop them at
 * once. Another gateway process sees the change when its cache entry expires (the TTL).
 */
export class AccessKeyChanges {
  private readonly listeners: ((accessKeyId: string) => void)[] = [];

  onChange(listener: (accessKeyId: string) => void): void {
    this.listeners.push(listener);
  }

  changed(accessKeyId: string): void {
    for (const listener of this.listeners) listener(accessKeyId);
  }
}

/* A failed precondition is a programming error in the caller, not a client error: plain Error. */
function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
