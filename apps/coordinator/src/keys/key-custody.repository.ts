import { Inject, Injectable } from '@nestjs/common';
import type { KeyState, SignedDocumentDto } from '@symbolon/contracts';
import { type DataSource, In } from 'typeorm';

import { DATA_SOURCE } from '../tokens.js';
import { deleteKeyRows } from './key-lifecycle.repository.js';
import { KeyEntity, KeyVersionEntity } from './key.entity.js';

/**
 * The writes of ShredKey, SuspendKey and ReinstateKey: each guarded by the state it expects, so two requests (or two
 * replicas) never both apply one.
 */
@Injectable()
export class KeyCustodyRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /**
   * SuspendKey's write: the key becomes Suspended and every version's EKT is replaced by its check value, only while
   * the key is in one of `whenStateIn` and still has `expectedCurrent` as its current version (a rotation in between
   * would leave a version out of the owner's package); false otherwise.
   */
  async suspend(
    keyId: string,
    whenStateIn: readonly KeyState[],
    expectedCurrent: number,
    checks: ReadonlyMap<number, string>,
  ): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m.update(
        KeyEntity,
        { id: keyId, keyState: In([...whenStateIn]), currentVersion: expectedCurrent },
        { keyState: 'Suspended', rotationEnabled: false, nextRotationDate: null },
      );
      if ((r.affected ?? 0) === 0) return false;
      for (const [version, suspendCheck] of checks) {
        await m.update(KeyVersionEntity, { keyId, version }, { ekt: '', suspendCheck });
      }
      return true;
    });
  }

  /** ReinstateKey's write: new EKTs for every version and the key Enabled again, only while it is Suspended. */
  async reinstate(
    keyId: string,
    ekts: ReadonlyMap<number, { ekt: string; domainGeneration: number }>,
  ): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m.update(KeyEntity, { id: keyId, keyState: 'Suspended' }, { keyState: 'Enabled' });
      if ((r.affected ?? 0) === 0) return false;
      for (const [version, v] of ekts) {
        await m.update(
          KeyVersionEntity,
          { keyId, version },
          { ekt: v.ekt, domainGeneration: v.domainGeneration, suspendCheck: null },
        );
      }
      return true;
    });
  }

  /** ShredKey's first write: the key is Shredded (unusable at once) while it is in one of `whenStateIn`. */
  markShredded(keyId: string, whenStateIn: readonly KeyState[]): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m.update(
        KeyEntity,
        { id: keyId, keyState: In([...whenStateIn]) },
        {
          keyState: 'Shredded',
          deletionDate: null,
          pendingWindowDays: null,
          rotationEnabled: false,
          rotationPeriodDays: null,
          nextRotationDate: null,
        },
      );
      return (r.affected ?? 0) > 0;
    });
  }

  /** ShredKey's last write: the receipt is kept, every version (EKT) and the key's aliases go, in one transaction. */
  async completeShred(keyId: string, receipt: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.update(KeyEntity, { id: keyId, keyState: 'Shredded' }, { shredReceipt: receipt });
      await m.delete(KeyVersionEntity, { keyId });
      await deleteKeyRows(m, 'aliases', 'target_key_id', keyId);
    });
  }

  /** The receipt of a finished ShredKey (and its completion, once signed), if there is one. */
  async shredReceipt(
    keyId: string,
  ): Promise<{ receipt: SignedDocumentDto; completion?: SignedDocumentDto } | undefined> {
    const key = await this.ds
      .getRepository(KeyEntity)
      .findOne({ where: { id: keyId }, select: { id: true, shredReceipt: true } });
    if (!key?.shredReceipt) return undefined;
    const kept = JSON.parse(key.shredReceipt) as
      { receipt: SignedDocumentDto; completion?: SignedDocumentDto } | SignedDocumentDto;
    // Receipts kept before completions existed are the signed receipt itself.
    return 'receipt' in kept ? kept : { receipt: kept };
  }

  /** Keeps the receipt with its completion. */
  async keepCompletion(keyId: string, kept: string): Promise<void> {
    await this.ds
      .getRepository(KeyEntity)
      .update({ id: keyId, keyState: 'Shredded' }, { shredReceipt: kept });
  }
}
