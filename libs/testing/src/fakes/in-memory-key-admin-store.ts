/** In-memory stand-in for the coordinator's KeyAdminRepository (tag, untag, listTags), keyed by key id. */
import { ErrorCodes, KmsError } from '@symbolon/contracts';

export interface StoreTag {
  tagKey: string;
  tagValue: string;
}

export class InMemoryKeyAdminStore {
  private readonly tags = new Map<string, Map<string, string>>();

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
}
