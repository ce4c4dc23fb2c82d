import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  HsmActions,
  HsmDecryptRequest,
  HsmDestroyKeyRequest,
  HsmEncryptRequest,
  HsmGenerateDataKeyRequest,
  HsmGenerateKeyRequest,
  HsmGenerateRandomRequest,
  HsmReEncryptRequest,
  HsmRewrapRequest,
  HsmCompleteShredRequest,
  HsmCreateImportKeyRequest,
  HsmDomainApplyRequest,
  HsmDomainGenesisRequest,
  HsmDomainJoinRequest,
  HsmDomainPrepareRotationRequest,
  HsmDomainReceiveRequest,
  HsmDomainTransportRequest,
  HsmDestroyImportKeyRequest,
  HsmReinstateRequest,
  HsmShredRequest,
  HsmSignAuditDigestRequest,
  HsmSuspendRequest,
  hsmSubject,
} from '@symbolon/contracts';

import { DomainUseCase } from '../domain/domain.use-case.js';
import { CustodyUseCase } from './use-cases/custody.use-case.js';
import { EvidenceUseCase } from './use-cases/evidence.use-case.js';
import { TokenOperationsUseCase } from './use-cases/token-operations.use-case.js';

/** The node id is only known at boot, so the controller is built for it: kms.v1.hsm.<node>.<action>. */
export function createTokenController(nodeId: string): Type<unknown> {
  @Controller()
  class TokenController {
    constructor(
      @Inject(TokenOperationsUseCase) private readonly ops: TokenOperationsUseCase,
      @Inject(EvidenceUseCase) private readonly evidence: EvidenceUseCase,
      @Inject(CustodyUseCase) private readonly custody: CustodyUseCase,
      @Inject(DomainUseCase) private readonly domain: DomainUseCase,
    ) {}

    @MessagePattern(hsmSubject(nodeId, HsmActions.generateKey))
    generateKey(@Payload() _req: HsmGenerateKeyRequest) {
      return this.ops.generateKey();
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.encrypt))
    encrypt(@Payload() req: HsmEncryptRequest) {
      return this.ops.encrypt(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.generateDataKey))
    generateDataKey(@Payload() req: HsmGenerateDataKeyRequest) {
      return this.ops.generateDataKey(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.decrypt))
    decrypt(@Payload() req: HsmDecryptRequest) {
      return this.ops.decrypt(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.generateRandom))
    generateRandom(@Payload() req: HsmGenerateRandomRequest) {
      return this.ops.generateRandom(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.reEncrypt))
    reEncrypt(@Payload() req: HsmReEncryptRequest) {
      return this.ops.reEncrypt(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.rewrap))
    rewrap(@Payload() req: HsmRewrapRequest) {
      return this.ops.rewrap(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.destroyKey))
    destroyKey(@Payload() req: HsmDestroyKeyRequest) {
      return this.ops.destroyKey(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.signingKey))
    signingKey() {
      return this.evidence.signingKey();
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.signAuditDigest))
    signAuditDigest(@Payload() req: HsmSignAuditDigestRequest) {
      return this.evidence.signAuditDigest(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.shred))
    shred(@Payload() req: HsmShredRequest) {
      return this.evidence.shred(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.completeShred))
    completeShred(@Payload() req: HsmCompleteShredRequest) {
      return this.evidence.completeShred(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.suspend))
    suspend(@Payload() req: HsmSuspendRequest) {
      return this.custody.suspend(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.createImportKey))
    createImportKey(@Payload() req: HsmCreateImportKeyRequest) {
      return this.custody.createImportKey(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.destroyImportKey))
    destroyImportKey(@Payload() req: HsmDestroyImportKeyRequest) {
      return this.custody.destroyImportKey(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.reinstate))
    reinstate(@Payload() req: HsmReinstateRequest) {
      return this.custody.reinstate(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainState))
    domainState() {
      return this.domain.state();
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainGenesis))
    domainGenesis(@Payload() req: HsmDomainGenesisRequest) {
      return this.domain.genesis(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainApply))
    domainApply(@Payload() req: HsmDomainApplyRequest) {
      return this.domain.apply(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainPrepareRotation))
    domainPrepareRotation(@Payload() req: HsmDomainPrepareRotationRequest) {
      return this.domain.prepareRotation(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainTransport))
    domainTransport(@Payload() req: HsmDomainTransportRequest) {
      return this.domain.transport(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainReceive))
    domainReceive(@Payload() req: HsmDomainReceiveRequest) {
      return this.domain.receive(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.domainJoin))
    domainJoin(@Payload() req: HsmDomainJoinRequest) {
      return this.domain.join(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.health))
    health() {
      return this.ops.health();
    }
  }
  return TokenController;
}
