import { Inject, Injectable } from '@nestjs/common';
import {
  HsmCompleteShredRequest,
  HsmShredRequest,
  ErrorCodes,
  KmsError,
  type HsmShredReply,
  HsmSignAuditDigestRequest,
  type HsmSigningKeyReply,
  type SignedDocumentDto,
  toBase64,
} from '@symbolon/contracts';
import {
  type ShredReceipt,
  type Signed,
  auditDigest,
  receiptSha256,
  shredCompletion,
  shredReceipt,
  signingBytes,
  verifyShredReceipt,
} from '@symbolon/evidence';
import type { Hsm } from '@symbolon/pkcs11';

import { HSM, NODE_SETTINGS, type NodeSettings } from '../hsm.tokens.js';
import { guard, keyVersions } from './key-ref.js';

/**
 * Documents signed inside the token with the domain's Ed25519 signing key. This node writes every document itself
 * (type, time, its own id, what it destroyed); callers give only the facts it cannot know, so the key signs nothing
 * but audit digests and shred receipts.
 */
@Injectable()
export class EvidenceUseCase {
  constructor(
    @Inject(HSM) private readonly hsm: Hsm,
    @Inject(NODE_SETTINGS) private readonly node: NodeSettings,
  ) {}

  signingKey(): HsmSigningKeyReply {
    return { publicKey: toBase64(guard(() => this.hsm.signingPublicKey())) };
  }

  signAuditDigest(req: HsmSignAuditDigestRequest): SignedDocumentDto {
    return this.sign(
      auditDigest({
        sequence: req.sequence,
        hash: req.hash,
        time: new Date().toISOString(),
        nodeId: this.node.nodeId,
      }),
    );
  }

  /**
   * Drops this token's cached copies of the key's versions and signs a receipt naming them, with the domain-key
   * generations that still wrap copies of their EKTs in older backups (the shred is final once those are destroyed).
   */
  shred(req: HsmShredRequest): HsmShredReply {
    const versions = keyVersions(req);
    let evictedCopies = 0;
    for (const v of versions) if (guard(() => this.hsm.evict(v.ref))) evictedCopies++;
    const generations = [...new Set(versions.map((v) => v.ref.domainGeneration))].sort((a, b) => a - b);
    return this.sign(
      shredReceipt({
        keyArn: req.keyArn,
        versions: versions
          .map((v) => ({
            version: v.version,
            ektSha256: v.ektSha256,
            domainGeneration: v.ref.domainGeneration,
          }))
          .sort((a, b) => a.version - b.version),
        shreddedAt: new Date().toISOString(),
        nodeId: this.node.nodeId,
        tokenLabel: this.node.tokenLabel,
        evictedCopies,
        pendingGenerations: generations,
      }),
    );
  }

  /**
   * Completes a receipt this domain signed, once every generation it left pending is destroyed in this token: the
   * EKTs in any backup can no longer be unwrapped here.
   */
  completeShred(req: HsmCompleteShredRequest): SignedDocumentDto {
    const receipt = req.receipt as unknown as Signed<ShredReceipt>;
    const publicKey = toBase64(guard(() => this.hsm.signingPublicKey()));
    const check = verifyShredReceipt(receipt, { publicKey });
    if (!check.ok) throw new KmsError(ErrorCodes.VALIDATION, `not a receipt of this domain: ${check.reason}`);
    const alive = check.pendingGenerations.filter((g) => guard(() => this.hsm.hasDomainKey(g)));
    if (alive.length > 0) {
      throw new KmsError(
        ErrorCodes.INVALID_STATE,
        `generation ${alive.join(', ')} still exists in token ${this.node.tokenLabel}: the shred is not final yet`,
      );
    }
    return this.sign(
      shredCompletion({
        keyArn: receipt.document.keyArn,
        receiptSha256: receiptSha256(receipt.document),
        destroyedGenerations: check.pendingGenerations,
        completedAt: new Date().toISOString(),
        nodeId: this.node.nodeId,
      }),
    );
  }

  private sign(document: object): SignedDocumentDto {
    const signature = guard(() => this.hsm.sign(signingBytes(document)));
    return {
      document: document as Record<string, unknown>,
      signature: toBase64(signature),
      publicKey: toBase64(guard(() => this.hsm.signingPublicKey())),
    };
  }
}
