import { Inject, Injectable } from '@nestjs/common';
import {
  type GetSigningPublicKeyReply,
  HsmActions,
  type HsmSigningKeyReply,
  SignAuditDigestRequest,
  type SignedDocumentDto,
} from '@symbolon/contracts';

import { HsmRouter } from '../routing/hsm-router.js';

/**
 * The domain's signing key, relayed to the domain's signer (HsmRouter.callSigner): its public key for anyone who verifies (receipts, audit
 * exports), and the audit service's digests. The node writes and signs each document itself.
 */
@Injectable()
export class SigningUseCase {
  constructor(@Inject(HsmRouter) private readonly hsm: HsmRouter) {}

  /** The signer's key, and every member's that answers (a member that does not is left out of `signers`). */
  async publicKey(requestId: string): Promise<GetSigningPublicKeyReply> {
    const signer = await this.hsm.callSigner<HsmSigningKeyReply>(HsmActions.signingKey, { requestId });
    const signers: GetSigningPublicKeyReply['signers'] = [];
    for (const nodeId of this.hsm.members()) {
      try {
        const r =
          nodeId === signer.nodeId
            ? signer.reply
            : await this.hsm.callNode<HsmSigningKeyReply>(nodeId, HsmActions.signingKey, { requestId });
        signers.push({ nodeId, publicKey: r.publicKey });
      } catch {
        // a member that is down now: its key is listed once it answers again
      }
    }
    return { publicKey: signer.reply.publicKey, signers };
  }

  async auditDigest(req: SignAuditDigestRequest): Promise<SignedDocumentDto> {
    const { reply } = await this.hsm.callSigner<SignedDocumentDto>(HsmActions.signAuditDigest, {
      requestId: req.requestId,
      sequence: req.sequence,
      hash: req.hash,
    });
    return reply;
  }
}
