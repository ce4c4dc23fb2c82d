import { Inject, Injectable } from '@nestjs/common';
import { type CreateKeyReply, CreateKeyRequest } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { CustomKeyStores } from '../../../domain/custom-key-stores.js';
import { storeKeyPolicy } from '../../../key-policies/key-policies.use-case.js';
import { PolicyClient } from '../../../policy/policy.client.js';
import { HsmRouter } from '../../../routing/hsm-router.js';
import { RPC } from '../../../tokens.js';
import { keyArn } from '../../key-id.js';
import { toKeyMetadata } from '../../key-metadata.js';
import { KeyRepository } from '../../key.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import type { KeyEntity } from '../../key.entity.js';
import { generateKeyVersion } from '../../key-version.js';

/**
 * A new symmetric key: material generated in a token of the domain it is placed in (CustomKeyStoreId, else the default
 * domain), stored only as its EKT.
 */
@Injectable()
export class CreateKeyUseCase {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(KeyRepository) private readonly keys: KeyRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(CustomKeyStores) private readonly keyStores: CustomKeyStores,
  ) {}

  /**
   * Identity policies decide kms:CreateKey. A given key policy is validated and checked against locking out the
   * caller, and stored before the key exists: a key never exists without the policy asked for (a policy left by a
   * failed creation names an ARN nothing will ever use).
   */
  async execute(req: CreateKeyRequest): Promise<CreateKeyReply> {
    await this.policy.authorizeAccount(req, 'kms:CreateKey');
    const domainId = this.keyStores.placement(req.customKeyStoreId);
    const id = randomUUID();
    const now = new Date();
    const arn = keyArn(this.config.SYMBOLON_REGION, req.tenantId, id);
    if (req.policy !== undefined) {
      await storeKeyPolicy(
        this.rpc,
        req,
        arn,
        req.tenantId,
        req.policy,
        req.bypassPolicyLockoutSafetyCheck ?? false,
      );
    }
    const version = await generateKeyVersion(this.hsm.in(domainId), id, 1, req.requestId, now);
    const key: KeyEntity = {
      id,
      tenantId: req.tenantId,
      arn,
      description: req.description ?? '',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: req.customKeyStoreId !== undefined ? 'AWS_CLOUDHSM' : 'AWS_KMS',
      domainId,
      currentVersion: 1,
      createdAt: now,
    };
    await this.keys.create(key, version);
    this.resolver.remember({ key, versions: new Map([[1, version]]) });
    return { key: toKeyMetadata(key) };
  }
}
