import { Inject, Injectable } from '@nestjs/common';
import { EnableKeyRequest, type KeyAdminReply, type KeyState } from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';
import { changeKeyWith } from '../../key-change.js';

/** Enabled and Disabled keys may be enabled (an Enabled key stays so); any other state is INVALID_STATE. */
export const ENABLE_DISABLE_STATES: readonly KeyState[] = ['Enabled', 'Disabled'];

@Injectable()
export class EnableKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: EnableKeyRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:EnableKey');
    const { tenantId, id, arn } = stored.key;
    await changeKeyWith(this.resolver, stored, ENABLE_DISABLE_STATES, () =>
      this.admin.setState(tenantId, id, ENABLE_DISABLE_STATES, 'Enabled'),
    );
    return { keyArn: arn };
  }
}
