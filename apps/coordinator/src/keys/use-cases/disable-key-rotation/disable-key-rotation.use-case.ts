import { Inject, Injectable } from '@nestjs/common';
import { DisableKeyRotationRequest, type KeyRotationChangeReply } from '@symbolon/contracts';

import { changeKey } from '../../key-change.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/** Automatic rotation off; existing versions and on-demand rotation are unaffected. */
@Injectable()
export class DisableKeyRotationUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: DisableKeyRotationRequest): Promise<KeyRotationChangeReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:DisableKeyRotation');
    await changeKey(this.resolver, this.lifecycle, stored, ['Enabled'], {
      rotationEnabled: false,
      rotationPeriodDays: null,
      nextRotationDate: null,
    });
    return { keyArn: stored.key.arn };
  }
}
