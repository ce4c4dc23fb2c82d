import { Inject, Injectable } from '@nestjs/common';
import {
  type GenerateRandomReply,
  GenerateRandomRequest,
  HsmActions,
  type HsmGenerateRandomReply,
} from '@symbolon/contracts';

import { PolicyClient } from '../../../policy/policy.client.js';
import { HsmRouter } from '../../../routing/hsm-router.js';

/** Random bytes from a token's generator. */
@Injectable()
export class GenerateRandomUseCase {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
  ) {}

  async execute(req: GenerateRandomRequest): Promise<GenerateRandomReply> {
    await this.policy.authorizeAccount(req, 'kms:GenerateRandom');
    const r = await this.hsm.call<HsmGenerateRandomReply>(HsmActions.generateRandom, {
      requestId: req.requestId,
      length: req.numberOfBytes,
    });
    return { plaintext: r.random };
  }
}
