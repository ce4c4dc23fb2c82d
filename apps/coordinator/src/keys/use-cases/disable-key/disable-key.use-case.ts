import { Inject, Injectable } from '@nestjs/common';
import { DisableKeyRequest, type KeyAdminReply } from '@symbolon/contracts';

import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';
import { changeKey } from '../../key-change.js';
import { ENABLE_DISABLE_STATES } from '../enable-key/enable-key.use-case.js';

/** Enabled and Disabled keys may be disabled (a Disabled key stays so); any other state is INVALID_STATE. */
@Injectable()
export class DisableKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: DisableKeyRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:DisableKey');
    await changeKey(this.resolver, this.lifecycle, stored, ENABLE_DISABLE_STATES, { keyState: 'Disabled' });
    return { keyArn: stored.key.arn };
  }
}
