import { Inject, Injectable } from '@nestjs/common';
import { EnableKeyRotationRequest, type KeyRotationChangeReply } from '@symbolon/contracts';

import { CLOCK, type Clock, addDays } from '../../../clock.js';
import { changeKey } from '../../key-change.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/**
 * Automatic rotation every `rotationPeriodInDays`, the first one that many days from now. Calling it again on a key
 * with rotation on sets the new period and starts it from now.
 */
@Injectable()
export class EnableKeyRotationUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: EnableKeyRotationRequest): Promise<KeyRotationChangeReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:EnableKeyRotation');
    await changeKey(this.resolver, this.lifecycle, stored, ['Enabled'], {
      rotationEnabled: true,
      rotationPeriodDays: req.rotationPeriodInDays,
      nextRotationDate: addDays(this.clock.now(), req.rotationPeriodInDays),
    });
    return { keyArn: stored.key.arn };
  }
}
