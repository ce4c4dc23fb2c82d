import { Inject, Injectable } from '@nestjs/common';
import { type KeyAdminReply, UpdateKeyDescriptionRequest } from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../../own-key.js';
import { changeKeyWith } from '../../key-change.js';

/** Replaces the description (0-8192 characters) of a key that is not pending deletion. */
@Injectable()
export class UpdateKeyDescriptionUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: UpdateKeyDescriptionRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:UpdateKeyDescription');
    const { tenantId, id, arn } = stored.key;
    await changeKeyWith(this.resolver, stored, NOT_PENDING_DELETION, () =>
      this.admin.setDescription(tenantId, id, NOT_PENDING_DELETION, req.description),
    );
    return { keyArn: arn };
  }
}
