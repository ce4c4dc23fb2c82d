import { Inject, Injectable } from '@nestjs/common';
import {
  type GenerateRandomReply,
  GenerateRandomRequest,
  HsmActions,
  type HsmGenerateRandomReply,
} from '@symbolon/contracts';

import { HsmRouter } from '../../../routing/hsm-router.js';

/** Random bytes from a token's generator. */
@Injectable()
export class GenerateRandomUseCase {
  constructor(@Inject(HsmRouter) private readonly hsm: HsmRouter) {}

  async execute(req: GenerateRandomRequest): Promise<GenerateRandomReply> {
    const r = await this.hsm.call<HsmGenerateRandomReply>(HsmActions.generateRandom, {
      requestId: req.requestId,
      length: req.numberOfBytes,
    });
    return { plaintext: r.random };
  }
}
