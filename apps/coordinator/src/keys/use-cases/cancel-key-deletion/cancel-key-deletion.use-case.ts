import { Inject, Injectable } from '@nestjs/common';
import { type CancelKeyDeletionReply, CancelKeyDeletionRequest } from '@symbolon/contracts';

import { changeKey, requirePendingDeletion } from '../../key-change.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/** A key pending deletion becomes Disabled, as AWS leaves it; its deletion date is cleared. */
@Injectable()
export class CancelKeyDeletionUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: CancelKeyDeletionRequest): Promise<CancelKeyDeletionReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:CancelKeyDeletion');
    await changeKey(
      this.resolver,
      this.lifecycle,
      stored,
      ['PendingDeletion'],
      { keyState: 'Disabled', deletionDate: null, pendingWindowDays: null },
      requirePendingDeletion,
    );
    return { keyArn: stored.key.arn };
  }
}
