import { Inject, Injectable } from '@nestjs/common';
import { type CreateKeyReply, CreateKeyRequest } from '@symbolon/contracts';
import { randomUUID } from 'node:crypto';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { HsmRouter } from '../../../routing/hsm-router.js';
import { keyArn } from '../../key-id.js';
import { toKeyMetadata } from '../../key-metadata.js';
import { KeyRepository } from '../../key.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import type { KeyEntity } from '../../key.entity.js';
import { generateKeyVersion } from '../../key-version.js';

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
    const id = randomUUID();
    const now = new Date();
    const version = await generateKeyVersion(this.hsm, id, 1, req.requestId, now);
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
    await this.keys.create(key, version);
    this.resolver.remember({ key, versions: new Map([[1, version]]) });
    return { key: toKeyMetadata(key) };
  }
}
