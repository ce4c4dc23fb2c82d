/**
 * In-memory stand-in for the coordinator's KeyLifecycleRepository, over the same InMemoryKeyStore the KeyRepository
 * fake uses (so a spec sees one set of keys). Wrap it with `asFake<KeyLifecycleRepository>(lifecycle)` in a spec.
 * Rows of other features (aliases, tags) do not exist here: `dependentDeletes` records which keys had them deleted.
 */
import type { KeyState } from '@symbolon/contracts';

import type { InMemoryKeyStore, StoreKey, StoreKeyVersion } from './in-memory-key-store.js';

export interface LifecycleKey extends StoreKey {
  keyState: KeyState;
  currentVersion: number;
  deletionDate?: Date | null;
  rotationEnabled?: boolean;
  nextRotationDate?: Date | null;
}

export class InMemoryKeyLifecycleStore<K extends LifecycleKey, V extends StoreKeyVersion> {
  /** Keys whose dependent rows (aliases, tags) a deletion removed, in order. */
  readonly dependentDeletes: string[] = [];
  /** The next addVersion loses the race (answers false), as when another replica rotated first. */
  loseNextRace = false;
  private hook?: () => void;

  constructor(private readonly store: InMemoryKeyStore<K, V>) {}

  /** Runs `change` once, right before the next update compares the state ("a concurrent request"). */
  beforeNextWrite(change: () => void): void {
    this.hook = change;
  }

  async update(
    accountId: string,
    keyId: string,
    whenStateIn: readonly KeyState[],
    patch: Partial<K>,
  ): Promise<boolean> {
    const hook = this.hook;
    this.hook = undefined;
    hook?.();
    const key = this.key(keyId);
    if (!key || key.tenantId !== accountId || !whenStateIn.includes(key.keyState)) return false;
    this.store.update(keyId, patch);
    return true;
  }

  async addVersion(version: V, expectedCurrent: number, patch: Partial<K> = {}): Promise<boolean> {
    const key = this.key(version.keyId);
    if (this.loseNextRace) {
      this.loseNextRace = false;
      return false;
    }
    if (!key || key.currentVersion !== expectedCurrent) return false;
    this.store.putVersion(version);
    this.store.update(key.id, { ...patch, currentVersion: version.version });
    return true;
  }

  async dueForDeletion(now: Date, limit: number): Promise<K[]> {
    return this.store
      .all()
      .filter((k) => k.keyState === 'PendingDeletion' && k.deletionDate && k.deletionDate <= now)
      .sort((a, b) => a.deletionDate!.getTime() - b.deletionDate!.getTime())
      .slice(0, limit);
  }

  async dueForRotation(now: Date, limit: number): Promise<K[]> {
    return this.store
      .all()
      .filter(
        (k) =>
          k.keyState === 'Enabled' &&
          k.rotationEnabled === true &&
          k.nextRotationDate &&
          k.nextRotationDate <= now,
      )
      .sort((a, b) => a.nextRotationDate!.getTime() - b.nextRotationDate!.getTime())
      .slice(0, limit);
  }

  async versionsOf(keyId: string): Promise<V[]> {
    const key = this.key(keyId);
    if (!key) return [];
    const stored = await this.store.find(key.tenantId, keyId);
    return [...(stored?.versions.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  async deleteDue(keyId: string, now: Date): Promise<boolean> {
    const key = this.key(keyId);
    if (!key || key.keyState !== 'PendingDeletion' || !key.deletionDate || key.deletionDate > now)
      return false;
    this.store.remove(keyId);
    this.dependentDeletes.push(keyId);
    return true;
  }

  private key(keyId: string): K | undefined {
    return this.store.all().find((k) => k.id === keyId);
  }
}
