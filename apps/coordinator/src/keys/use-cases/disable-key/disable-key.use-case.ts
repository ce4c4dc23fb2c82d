import { Inject, Injectable } from '@nestjs/common';
import { DisableKeyRequest, type KeyAdminReply } from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';
import { changeKeyWith } from '../../key-change.js';
import { ENABLE_DISABLE_STATES } from '../enable-key/enable-key.use-case.js';

/** Enabled and Disabled keys may be disabled (a Disabled key stays so); any other state is INVALID_STATE. */
@Injectable()
export class DisableKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: DisableKeyRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:DisableKey');
    const { tenantId, id, arn } = stored.key;
    await changeKeyWith(this.resolver, stored, ENABLE_DISABLE_STATES, () =>
      this.admin.setState(tenantId, id, ENABLE_DISABLE_STATES, 'Disabled'),
    );
    return { keyArn: arn };
  }
}
