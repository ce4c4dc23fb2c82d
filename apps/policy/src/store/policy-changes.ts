import { Inject, Injectable } from '@nestjs/common';
import { type PolicyChangedNotice, Subjects } from '@symbolon/contracts';
import type { NoticeBus } from '@symbolon/platform';

import { NOTICES } from '../tokens.js';
import { CompiledPolicies } from './compiled-policies.js';

/**
 * After a change is stored: drop this replica's copy, then tell every replica (policy and coordinator) before the
 * change is acknowledged, so the next request anywhere sees it.
 */
@Injectable()
export class PolicyChanges {
  constructor(
    @Inject(CompiledPolicies) private readonly compiled: CompiledPolicies,
    @Inject(NOTICES) private readonly notices: Pick<NoticeBus, 'publish'>,
  ) {}

  async changed(notice: PolicyChangedNotice): Promise<void> {
    this.compiled.invalidate(notice);
    await this.notices.publish(Subjects.notices.policyChanged, notice);
  }
}
