import { Inject, Injectable } from '@nestjs/common';
import { EnableKeyRequest, type KeyAdminReply, type KeyState } from '@symbolon/contracts';

import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';
import { changeKey } from '../../key-change.js';

/** Enabled and Disabled keys may be enabled (an Enabled key stays so); any other state is INVALID_STATE. */
export const ENABLE_DISABLE_STATES: readonly KeyState[] = ['Enabled', 'Disabled'];

@Injectable()
export class EnableKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: EnableKeyRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:EnableKey');
    await changeKey(this.resolver, this.lifecycle, stored, ENABLE_DISABLE_STATES, { keyState: 'Enabled' });
    return { keyArn: stored.key.arn };
  }
}
