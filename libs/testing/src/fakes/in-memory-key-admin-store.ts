/**
 * In-memory stand-in for the coordinator's KeyAdminRepository (setState, setDescription, tag, untag, listTags) over
 * the rows of an InMemoryKeyStore. State and description writes are compare-and-set on the key state, as in the
 * database; `beforeNextWrite` lets a spec change the key "concurrently" just before the next such write.
 */
import { ErrorCodes, type KeyState, KmsError } from '@symbolon/contracts';

import type { InMemoryKeyStore, StoreKey, StoreKeyVersion } from './in-memory-key-store.js';

export interface StoreAdminKey extends StoreKey {
  keyState: KeyState;
  description: string;
}

export interface StoreTag {
  tagKey: string;
  tagValue: string;
}

export class InMemoryKeyAdminStore<K extends StoreAdminKey, V extends StoreKeyVersion> {
  private readonly tags = new Map<string, Map<string, string>>();
  private hook?: () => void;

  constructor(private readonly keys: InMemoryKeyStore<K, V>) {}

  /** Runs `change` once, right before the next setState / setDescription compares the state. */
  beforeNextWrite(change: () => void): void {
    this.hook = change;
  }

  async setState(tenantId: string, keyId: string, from: readonly KeyState[], to: KeyState): Promise<boolean> {
    return this.casWrite(tenantId, keyId, from, { keyState: to } as Partial<K>);
  }

  async setDescription(
    tenantId: string,
    keyId: string,
    states: readonly KeyState[],
    description: string,
  ): Promise<boolean> {
    return this.casWrite(tenantId, keyId, states, { description } as Partial<K>);
  }

  async tag(keyId: string, tags: readonly StoreTag[], maxTags: number): Promise<void> {
    const current = new Map(this.tags.get(keyId) ?? []);
    for (const t of tags) current.set(t.tagKey, t.tagValue);
    if (current.size > maxTags) throw new KmsError(ErrorCodes.TAG, `A key can have at most ${maxTags} tags.`);
    this.tags.set(keyId, current);
  }

  async untag(keyId: string, tagKeys: readonly string[]): Promise<void> {
    for (const k of tagKeys) this.tags.get(keyId)?.delete(k);
  }

  async listTags(keyId: string, limit: number, afterTagKey?: string): Promise<StoreTag[]> {
    return [...(this.tags.get(keyId) ?? new Map<string, string>())]
      .filter(([k]) => afterTagKey === undefined || k > afterTagKey)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
  }

  /** Test helper: the tags of a key as a plain object. */
  tagsOf(keyId: string): Record<string, string> {
    return Object.fromEntries(this.tags.get(keyId) ?? []);
  }

  private async casWrite(
    tenantId: string,
    keyId: string,
    states: readonly KeyState[],
    patch: Partial<K>,
  ): Promise<boolean> {
    const hook = this.hook;
    this.hook = undefined;
    hook?.();
    const found = await this.keys.find(tenantId, keyId);
    if (!found || !states.includes(found.key.keyState)) return false;
    this.keys.update(keyId, patch);
    return true;
  }
}
