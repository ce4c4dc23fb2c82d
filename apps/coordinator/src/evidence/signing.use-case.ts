import { Inject, Injectable } from '@nestjs/common';
import {
  type GetSigningPublicKeyReply,
  HsmActions,
  type HsmSigningKeyReply,
  SignAuditDigestRequest,
  type SignedDocumentDto,
} from '@symbolon/contracts';

import { DomainService } from '../domain/domain.service.js';
import { HsmRouter } from '../routing/hsm-router.js';

/**
 * The signing keys of the tokens, relayed to a domain's signer (DomainRoute.callSigner): the default domain's signer
 * key for anyone who verifies (receipts, audit exports) with every token's key of every domain, and the audit
 * service's digests, signed in the default domain. A shred receipt is signed in the shredded key's domain. The node
 * writes and signs each document itself.
 */
@Injectable()
export class SigningUseCase {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(DomainService) private readonly domains: DomainService,
  ) {}

  /** The signer's key, and every member's that answers (a member that does not is left out of `signers`). */
  async publicKey(requestId: string): Promise<GetSigningPublicKeyReply> {
    const signer = await this.hsm
      .in(this.domains.defaultId())
      .callSigner<HsmSigningKeyReply>(HsmActions.signingKey, { requestId });
    const signers: GetSigningPublicKeyReply['signers'] = [];
    const nodes = this.domains.all().flatMap((d) => d.state.members.map((m) => m.nodeId));
    for (const nodeId of nodes) {
      try {
        const r =
          nodeId === signer.nodeId
            ? signer.reply
            : await this.hsm.callAnyNode<HsmSigningKeyReply>(nodeId, HsmActions.signingKey, { requestId });
        signers.push({ nodeId, publicKey: r.publicKey });
      } catch {
        // a member that is down now: its key is listed once it answers again
      }
    }
    return { publicKey: signer.reply.publicKey, signers };
  }

  async auditDigest(req: SignAuditDigestRequest): Promise<SignedDocumentDto> {
    const { reply } = await this.hsm
      .in(this.domains.defaultId())
      .callSigner<SignedDocumentDto>(HsmActions.signAuditDigest, {
        requestId: req.requestId,
        sequence: req.sequence,
        hash: req.hash,
      });
    return reply;
  }
}
