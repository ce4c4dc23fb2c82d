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
  hsmSubject,
} from '@symbolon/contracts';

import { TokenOperationsUseCase } from './use-cases/token-operations.use-case.js';

/** The node id is only known at boot, so the controller is built for it: kms.v1.hsm.<node>.<action>. */
export function createTokenController(nodeId: string): Type<unknown> {
  @Controller()
  class TokenController {
    constructor(@Inject(TokenOperationsUseCase) private readonly ops: TokenOperationsUseCase) {}

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

    @MessagePattern(hsmSubject(nodeId, HsmActions.destroyKey))
    destroyKey(@Payload() req: HsmDestroyKeyRequest) {
      return this.ops.destroyKey(req);
    }

    @MessagePattern(hsmSubject(nodeId, HsmActions.health))
    health() {
      return this.ops.health();
    }
  }
  return TokenController;
}
