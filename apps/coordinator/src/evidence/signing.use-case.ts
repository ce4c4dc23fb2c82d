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
 * The domain's signing key, relayed to a healthy hsm node: its public key for anyone who verifies (receipts, audit
 * exports), and the audit service's digests. The node writes and signs each document itself.
 */
@Injectable()
export class SigningUseCase {
  constructor(@Inject(HsmRouter) private readonly hsm: HsmRouter) {}

  publicKey(requestId: string): Promise<GetSigningPublicKeyReply> {
    return this.hsm.call<HsmSigningKeyReply>(HsmActions.signingKey, { requestId });
  }

  auditDigest(req: SignAuditDigestRequest): Promise<SignedDocumentDto> {
    return this.hsm.call<SignedDocumentDto>(HsmActions.signAuditDigest, {
      requestId: req.requestId,
      sequence: req.sequence,
      hash: req.hash,
    });
  }
}
