import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ExportAuditChainRequest,
  GetParametersForReinstateRequest,
  GetSigningPublicKeyRequest,
  ReinstateKeyRequest,
  ShredKeyRequest,
  SignAuditDigestRequest,
  Subjects,
  SuspendKeyRequest,
} from '@symbolon/contracts';

import { SigningUseCase } from '../evidence/signing.use-case.js';
import { ReinstateKeyUseCase } from './use-cases/custody/reinstate-key.use-case.js';
import { ShredKeyUseCase } from './use-cases/custody/shred-key.use-case.js';
import { SuspendKeyUseCase } from './use-cases/custody/suspend-key.use-case.js';
import { ExportAuditChainUseCase } from './use-cases/list-audit-events/export-audit-chain.use-case.js';

/** Symbolon's operations on custody and evidence: shred, suspend / reinstate, the signing key, the audit chain. */
@Controller()
export class CustodyController {
  constructor(
    @Inject(ShredKeyUseCase) private readonly shredKey: ShredKeyUseCase,
    @Inject(SuspendKeyUseCase) private readonly suspendKey: SuspendKeyUseCase,
    @Inject(ReinstateKeyUseCase) private readonly reinstateKey: ReinstateKeyUseCase,
    @Inject(SigningUseCase) private readonly signing: SigningUseCase,
    @Inject(ExportAuditChainUseCase) private readonly exportChain: ExportAuditChainUseCase,
  ) {}

  @MessagePattern(Subjects.keys.shred)
  shred(@Payload() req: ShredKeyRequest) {
    return this.shredKey.execute(req);
  }

  @MessagePattern(Subjects.keys.suspend)
  suspend(@Payload() req: SuspendKeyRequest) {
    return this.suspendKey.execute(req);
  }

  @MessagePattern(Subjects.keys.getParametersForReinstate)
  parameters(@Payload() req: GetParametersForReinstateRequest) {
    return this.reinstateKey.parameters(req);
  }

  @MessagePattern(Subjects.keys.reinstate)
  reinstate(@Payload() req: ReinstateKeyRequest) {
    return this.reinstateKey.execute(req);
  }

  @MessagePattern(Subjects.keys.getSigningPublicKey)
  signingPublicKey(@Payload() req: GetSigningPublicKeyRequest) {
    return this.signing.publicKey(req.requestId);
  }

  @MessagePattern(Subjects.signing.auditDigest)
  auditDigest(@Payload() req: SignAuditDigestRequest) {
    return this.signing.auditDigest(req);
  }

  @MessagePattern(Subjects.keys.exportAuditChain)
  exportAuditChain(@Payload() req: ExportAuditChainRequest) {
    return this.exportChain.execute(req);
  }
}
