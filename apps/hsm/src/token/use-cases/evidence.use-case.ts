import { Inject, Injectable } from '@nestjs/common';
import {
  HsmShredRequest,
  type HsmShredReply,
  HsmSignAuditDigestRequest,
  type HsmSigningKeyReply,
  type SignedDocumentDto,
  toBase64,
} from '@symbolon/contracts';
import { auditDigest, shredReceipt, signingBytes } from '@symbolon/evidence';
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

  private sign(document: object): SignedDocumentDto {
    const signature = guard(() => this.hsm.sign(signingBytes(document)));
    return {
      document: document as Record<string, unknown>,
      signature: toBase64(signature),
      publicKey: toBase64(guard(() => this.hsm.signingPublicKey())),
    };
  }
}
