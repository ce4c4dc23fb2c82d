import { Inject, Injectable } from '@nestjs/common';
import { type KeyAdminReply, UpdateKeyDescriptionRequest } from '@symbolon/contracts';

import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../../own-key.js';
import { changeKey } from '../../key-change.js';

/** Replaces the description (0-8192 characters) of a key that is not pending deletion. */
@Injectable()
export class UpdateKeyDescriptionUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: UpdateKeyDescriptionRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:UpdateKeyDescription');
    await changeKey(this.resolver, this.lifecycle, stored, NOT_PENDING_DELETION, {
      description: req.description,
    });
    return { keyArn: stored.key.arn };
  }
}
