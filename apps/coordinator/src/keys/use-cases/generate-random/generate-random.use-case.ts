import { Inject, Injectable } from '@nestjs/common';
import {
  type GenerateRandomReply,
  GenerateRandomRequest,
  HsmActions,
  type HsmGenerateRandomReply,
} from '@symbolon/contracts';

import { CustomKeyStores } from '../../../domain/custom-key-stores.js';
import { PolicyClient } from '../../../policy/policy.client.js';
import { HsmRouter } from '../../../routing/hsm-router.js';

/** Random bytes from the generator of a token of the named domain (CustomKeyStoreId), else the default domain. */
@Injectable()
export class GenerateRandomUseCase {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(CustomKeyStores) private readonly keyStores: CustomKeyStores,
  ) {}

  async execute(req: GenerateRandomRequest): Promise<GenerateRandomReply> {
    await this.policy.authorizeAccount(req, 'kms:GenerateRandom');
    const domainId = this.keyStores.placement(req.customKeyStoreId);
    const r = await this.hsm.in(domainId).call<HsmGenerateRandomReply>(HsmActions.generateRandom, {
      requestId: req.requestId,
      length: req.numberOfBytes,
    });
    return { plaintext: r.random };
  }
}
