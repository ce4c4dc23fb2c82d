import { Inject, Injectable } from '@nestjs/common';
import {
  type CreateKeyReply,
  CreateKeyRequest,
  HsmActions,
  type HsmGenerateKeyReply,
  fromBase64,
} from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';
import { randomUUID } from 'node:crypto';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { HsmRouter } from '../../../routing/hsm-router.js';
import { keyArn } from '../../key-id.js';
import { toKeyMetadata } from '../../key-metadata.js';
import { KeyRepository } from '../../key.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import type { KeyEntity, KeyVersionEntity } from '../../key.entity.js';

/** A new symmetric key: material generated in a token, stored only as its EKT. */
@Injectable()
export class CreateKeyUseCase {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(KeyRepository) private readonly keys: KeyRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async execute(req: CreateKeyRequest): Promise<CreateKeyReply> {
    const { ekt } = await this.hsm.call<HsmGenerateKeyReply>(HsmActions.generateKey, {
      requestId: req.requestId,
    });
    const id = randomUUID();
    const now = new Date();
    const key: KeyEntity = {
      id,
      tenantId: req.tenantId,
      arn: keyArn(this.config.SYMBOLON_REGION, req.tenantId, id),
      description: req.description ?? '',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      currentVersion: 1,
      createdAt: now,
    };
    const version: KeyVersionEntity = {
      keyId: id,
      version: 1,
      ekt,
      domainGeneration: deserializeEkt(fromBase64(ekt)).domainGeneration,
      createdAt: now,
    };
    await this.keys.create(key, version);
    this.resolver.remember({ key, versions: new Map([[1, version]]) });
    return { key: toKeyMetadata(key) };
  }
}
