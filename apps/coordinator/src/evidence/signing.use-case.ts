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

  async publicKey(requestId: string): Promise<GetSigningPublicKeyReply> {
    return (await this.hsm.callSigner<HsmSigningKeyReply>(HsmActions.signingKey, { requestId })).reply;
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
