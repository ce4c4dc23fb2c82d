import { Inject, Injectable } from '@nestjs/common';
import { type ScheduleKeyDeletionReply, ScheduleKeyDeletionRequest } from '@symbolon/contracts';

import { CLOCK, type Clock, addDays } from '../../../clock.js';
import { changeKey } from '../../key-change.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../../own-key.js';

/** Any key not already pending deletion (AWS key state table) becomes PendingDeletion until now + the window; the key lifecycle job deletes it when that date has passed. */
@Injectable()
export class ScheduleKeyDeletionUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: ScheduleKeyDeletionRequest): Promise<ScheduleKeyDeletionReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ScheduleKeyDeletion');
    const deletionDate = addDays(this.clock.now(), req.pendingWindowInDays);
    await changeKey(this.resolver, this.lifecycle, stored, NOT_PENDING_DELETION, {
      keyState: 'PendingDeletion',
      deletionDate,
      pendingWindowDays: req.pendingWindowInDays,
    });
    return {
      keyArn: stored.key.arn,
      deletionDate: deletionDate.toISOString(),
      keyState: 'PendingDeletion',
      pendingWindowInDays: req.pendingWindowInDays,
    };
  }
}
