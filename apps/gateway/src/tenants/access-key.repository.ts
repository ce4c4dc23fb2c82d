import type { DataSource } from 'typeorm';

import { AccessKeyEntity, AccountEntity } from './account.entity.js';

export interface Caller {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
  secret: string;
}

/** Access keys by id (the SigV4 lookup), cached for a short TTL; inactive keys are not found. */
export class AccessKeyRepository {
  private readonly cache = new Map<string, { caller?: Caller; expires: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly ttlMs: number,
  ) {}

  async findActive(accessKeyId: string): Promise<Caller | undefined> {
    const hit = this.cache.get(accessKeyId);
    if (hit && hit.expires > Date.now()) return hit.caller;
    const row = await this.ds
      .getRepository(AccessKeyEntity)
      .findOne({ where: { accessKeyId, status: 'Active' } });
    const caller = row
      ? {
          accessKeyId: row.accessKeyId,
          accountId: row.accountId,
          principalArn: row.principalArn,
          secret: row.secret,
        }
      : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { caller, expires: Date.now() + this.ttlMs });
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
