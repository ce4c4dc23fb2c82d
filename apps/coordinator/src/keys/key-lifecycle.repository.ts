import { Inject, Injectable } from '@nestjs/common';
import type { KeyState } from '@symbolon/contracts';
import { type DataSource, type EntityManager, In, LessThanOrEqual, type Repository } from 'typeorm';

import { DATA_SOURCE } from '../tokens.js';
import { KeyEntity, KeyVersionEntity } from './key.entity.js';

export type KeyLifecyclePatch = Partial<
  Pick<
    KeyEntity,
    | 'keyState'
    | 'description'
    | 'deletionDate'
    | 'pendingWindowDays'
    | 'rotationEnabled'
    | 'rotationPeriodDays'
    | 'nextRotationDate'
  >
>;

/** Tables of other features that hold rows of a key; deleted with it when they exist (key_id column named). */
const DEPENDENT_TABLES: readonly { table: string; column: string }[] = [
  { table: 'aliases', column: 'target_key_id' },
  { table: 'key_tags', column: 'key_id' },
];

/**
 * Lifecycle queries: state changes guarded by the state they expect, new key versions guarded by the current version
 * (so that two replicas or two requests never both rotate), and the job's queries across accounts.
 */
@Injectable()
export class KeyLifecycleRepository {
  private readonly keys: Repository<KeyEntity>;
  private readonly versions: Repository<KeyVersionEntity>;

  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {
    this.keys = ds.getRepository(KeyEntity);
    this.versions = ds.getRepository(KeyVersionEntity);
  }

  /** Changes one key of one account while it is in one of `whenStateIn`; false when it is not (or is gone). */
  async update(
    accountId: string,
    keyId: string,
    whenStateIn: readonly KeyState[],
    patch: KeyLifecyclePatch,
  ): Promise<boolean> {
    const r = await this.keys.update(
      { tenantId: accountId, id: keyId, keyState: In([...whenStateIn]) },
      patch,
    );
    return (r.affected ?? 0) > 0;
  }

  /**
   * Adds `version` as the key's new current version, with `patch` on the key, only while the key's current version is
   * still `expectedCurrent`; false when another rotation got there first.
   */
  async addVersion(
    version: KeyVersionEntity,
    expectedCurrent: number,
    patch: KeyLifecyclePatch = {},
  ): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m.update(
        KeyEntity,
        { id: version.keyId, currentVersion: expectedCurrent },
        { ...patch, currentVersion: version.version },
      );
      if ((r.affected ?? 0) === 0) return false;
      await m.insert(KeyVersionEntity, version);
      return true;
    });
  }

  /** Keys of every account whose deletion date has passed, oldest first. */
  dueForDeletion(now: Date, limit: number): Promise<KeyEntity[]> {
    return this.keys.find({
      where: { keyState: 'PendingDeletion', deletionDate: LessThanOrEqual(now) },
      order: { deletionDate: 'ASC' },
      take: limit,
    });
  }

  /** Enabled keys of every account with rotation on whose next rotation date has passed, oldest first. */
  dueForRotation(now: Date, limit: number): Promise<KeyEntity[]> {
    return this.keys.find({
      where: { keyState: 'Enabled', rotationEnabled: true, nextRotationDate: LessThanOrEqual(now) },
      order: { nextRotationDate: 'ASC' },
      take: limit,
    });
  }

  versionsOf(keyId: string): Promise<KeyVersionEntity[]> {
    return this.versions.find({ where: { keyId }, order: { version: 'ASC' } });
  }

  /**
   * Deletes the key, every version (EKT) and the rows other features hold for it, in one transaction, only while it
   * is still PendingDeletion and due at `now` (a CancelKeyDeletion that came first wins); false otherwise.
   */
  async deleteDue(keyId: string, now: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m.delete(KeyEntity, {
        id: keyId,
        keyState: 'PendingDeletion',
        deletionDate: LessThanOrEqual(now),
      });
      if ((r.affected ?? 0) === 0) return false;
      await m.delete(KeyVersionEntity, { keyId });
      for (const { table, column } of DEPENDENT_TABLES) await deleteKeyRows(m, table, column, keyId);
      return true;
    });
  }
}

/** Deletes the rows of one key from another feature's table, when that table exists. */
export async function deleteKeyRows(
  m: EntityManager,
  table: string,
  column: string,
  keyId: string,
): Promise<void> {
  if (!(await m.queryRunner!.hasTable(table))) return;
  const driver = m.connection.driver;
  const schema = (driver.options as { schema?: string }).schema;
  const path = driver.buildTableName(table, schema);
  await m.query(`DELETE FROM ${path} WHERE ${column} = ${driver.createParameter('keyId', 0)}`, [keyId]);
}
