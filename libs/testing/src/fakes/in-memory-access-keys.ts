/**
 * In-memory stand-in for the gateway's AccessKeyRepository (findActive, countAccounts, createAccountWithKey).
 * Wrap it with `asFake<AccessKeyRepository>(store)` in a spec.
 */
export interface StoreAccount {
  id: string;
}

export interface StoreAccessKey {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
  secret: string;
  status: 'Active' | 'Inactive';
}

export class InMemoryAccessKeys<A extends StoreAccount, K extends StoreAccessKey> {
  readonly accounts = new Map<string, A>();
  readonly accessKeys = new Map<string, K>();

  async findActive(
    accessKeyId: string,
  ): Promise<{ accessKeyId: string; accountId: string; principalArn: string; secret: string } | undefined> {
    const k = this.accessKeys.get(accessKeyId);
    if (!k || k.status !== 'Active') return undefined;
    return {
      accessKeyId: k.accessKeyId,
      accountId: k.accountId,
      principalArn: k.principalArn,
      secret: k.secret,
    };
  }

  async countAccounts(): Promise<number> {
    return this.accounts.size;
  }

  /** All or nothing, like the transaction of the real repository. */
  async createAccountWithKey(account: A, key: K): Promise<void> {
    if (this.accounts.has(account.id)) throw new Error(`InMemoryAccessKeys: duplicate account ${account.id}`);
    if (this.accessKeys.has(key.accessKeyId)) throw new Error(`InMemoryAccessKeys: duplicate access key`);
    this.accounts.set(account.id, structuredClone(account));
    this.accessKeys.set(key.accessKeyId, structuredClone(key));
  }
}
