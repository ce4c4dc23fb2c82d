import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  HsmActions,
  type HsmDestroyKeyReply,
  type HsmCompleteShredReply,
  type HsmShredReply,
  type KeyState,
  KmsError,
  type ShredKeyReply,
  ShredKeyRequest,
  type SignedDocumentDto,
} from '@symbolon/contracts';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { changeKeyWith } from '../../key-change.js';
import { KeyCustodyRepository } from '../../key-custody.repository.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';
import type { KeyEntity } from '../../key.entity.js';

/** A suspended key's material is only in its owner's package: there is nothing in the tokens to shred. */
const SHREDDABLE: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'Unavailable', 'Shredded'];

/**
 * Symbolon's ShredKey. The key becomes Shredded first, so every use fails from that moment; then every hsm node of
 * the domain drops its cached copies, one node signs a receipt naming the versions and the domain-key generations
 * that still wrap their EKTs in older backups, and the EKTs go with the receipt kept in one transaction. A ShredKey
 * interrupted half way is finished by the next one; a finished one answers the same receipt again. The key policy
 * must name kms:ShredKey (no wildcard allows it).
 */
@Injectable()
export class ShredKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
    @Inject(KeyCustodyRepository) private readonly custody: KeyCustodyRepository,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: ShredKeyRequest): Promise<ShredKeyReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ShredKey');
    const { key } = stored;
    if (key.keyState === 'Suspended') {
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `${key.arn} is suspended: its key material is only in the owner's package. Reinstate it to shred it.`,
      );
    }
    if (key.keyState !== 'Shredded') {
      await changeKeyWith(this.resolver, stored, SHREDDABLE, () =>
        this.custody.markShredded(
          key.id,
          SHREDDABLE.filter((s) => s !== 'Shredded'),
        ),
      );
    }
    const kept = await this.custody.shredReceipt(key.id);
    if (kept !== undefined) return { keyArn: key.arn, ...(await this.completed(req, key, kept)) };

    const versions = await this.lifecycle.versionsOf(key.id);
    if (versions.length === 0) {
      throw new KmsError(ErrorCodes.INTERNAL, `${key.arn} is shredded but its receipt is missing.`);
    }
    const ekts = versions.map((v) => v.ekt);
    const route = this.hsm.forKey(key);
    await route.callEach<HsmDestroyKeyReply>(HsmActions.destroyKey, { requestId: req.requestId, ekts });
    const { reply: signed } = await route.callSigner<HsmShredReply>(HsmActions.shred, {
      requestId: req.requestId,
      keyArn: key.arn,
      versions: versions.map((v) => v.version),
      ekts,
    });
    await this.custody.completeShred(key.id, JSON.stringify({ receipt: signed }));
    this.resolver.forget(key.tenantId, key.id);
    return { keyArn: key.arn, receipt: signed as SignedDocumentDto };
  }

  /**
   * A shredded key's receipt, with its completion once every generation it left pending is destroyed: asked of a
   * token the first time that holds, then kept.
   */
  private async completed(
    req: ShredKeyRequest,
    key: KeyEntity,
    kept: { receipt: SignedDocumentDto; completion?: SignedDocumentDto },
  ): Promise<{ receipt: SignedDocumentDto; completion?: SignedDocumentDto }> {
    if (kept.completion) return kept;
    let completion: SignedDocumentDto;
    try {
      // The token that signed the receipt completes it (it checks the receipt against its own key).
      const signer = (kept.receipt.document as { nodeId?: unknown }).nodeId;
      const payload = { requestId: req.requestId, receipt: kept.receipt };
      const route = this.hsm.forKey(key);
      completion = route.isMember(signer)
        ? await route.callNode<HsmCompleteShredReply>(signer, HsmActions.completeShred, payload)
        : (await route.callSigner<HsmCompleteShredReply>(HsmActions.completeShred, payload)).reply;
    } catch (e) {
      if (e instanceof KmsError && e.code === ErrorCodes.INVALID_STATE) return kept; // generations still alive
      throw e;
    }
    await this.custody.keepCompletion(key.id, JSON.stringify({ ...kept, completion }));
    return { ...kept, completion };
  }
}
