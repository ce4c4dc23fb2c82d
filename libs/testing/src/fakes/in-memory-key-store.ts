/**
 * In-memory stand-in for the coordinator's KeyRepository (create, find, list). Generic over the entity types so that
 * this library does not import an app; wrap it with `asFake<KeyRepository>(store)` in a spec.
 */
export interface StoreKey {
  id: string;
  tenantId: string;
}

export interface StoreKeyVersion {
  keyId: string;
  version: number;
}

export class InMemoryKeyStore<K extends StoreKey, V extends StoreKeyVersion> {
  private readonly keys = new Map<string, K>();
  private readonly versions = new Map<string, Map<number, V>>();
  /** How many times find() reached the store: lets specs see what a cache in front of it saved. */
  finds = 0;

  async create(key: K, version: V): Promise<void> {
    if (this.keys.has(key.id)) throw new Error(`InMemoryKeyStore: duplicate key id ${key.id}`);
    if (version.keyId !== key.id) throw new Error('InMemoryKeyStore: version of another key');
    this.keys.set(key.id, structuredClone(key));
    this.versions.set(key.id, new Map([[version.version, structuredClone(version)]]));
  }

  async find(
    accountId: string,
    keyId: string,
  ): Promise<{ key: K; versions: ReadonlyMap<number, V> } | undefined> {
    this.finds++;
    const key = this.keys.get(keyId);
    if (!key || key.tenantId !== accountId) return undefined;
    const versions = new Map(
      [...(this.versions.get(keyId) ?? new Map<number, V>())].map(([n, v]) => [n, structuredClone(v)]),
    );
    return { key: structuredClone(key), versions };
  }

  async list(accountId: string, limit: number, afterId?: string): Promise<K[]> {
    return [...this.keys.values()]
      .filter((k) => k.tenantId === accountId && (afterId === undefined || k.id > afterId))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map((k) => structuredClone(k));
  }

  /** Test helpers (not part of the repository): put a row directly, change a row, drop a version. */
  put(key: K, versions: V[]): void {
    this.keys.set(key.id, structuredClone(key));
    this.versions.set(key.id, new Map(versions.map((v) => [v.version, structuredClone(v)])));
  }

  update(keyId: string, patch: Partial<K>): void {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`InMemoryKeyStore: no key ${keyId}`);
    this.keys.set(keyId, { ...key, ...patch });
  }

  deleteVersion(keyId: string, version: number): void {
    this.versions.get(keyId)?.delete(version);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Every key of every account (copies), for stand-ins of queries across accounts (background jobs). */
  all(): K[] {
    return [...this.keys.values()].map((k) => structuredClone(k));
  }

  /** Removes a key and its versions. */
  remove(keyId: string): void {
    this.keys.delete(keyId);
    this.versions.delete(keyId);
  }

  /** Adds (or replaces) one version of an existing key. */
  putVersion(version: V): void {
    const versions = this.versions.get(version.keyId);
    if (!versions) throw new Error(`InMemoryKeyStore: no key ${version.keyId}`);
    versions.set(version.version, structuredClone(version));
  }
}
