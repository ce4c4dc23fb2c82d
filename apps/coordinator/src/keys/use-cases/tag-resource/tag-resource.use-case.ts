import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type KeyAdminReply,
  KmsError,
  MAX_TAGS_PER_KEY,
  RESERVED_TAG_PREFIX,
  TagResourceRequest,
} from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../../own-key.js';

/** Tag keys reserved for AWS: `aws:` in any case. */
export function isReservedTagKey(tagKey: string): boolean {
  return tagKey.toLowerCase().startsWith(RESERVED_TAG_PREFIX);
}

/**
 * Adds tags or overwrites their values. TAG for a reserved key, a tag key given twice, or more than 50 tags on the
 * key afterwards; nothing is written then.
 */
@Injectable()
export class TagResourceUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: TagResourceRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:TagResource');
    const seen = new Set<string>();
    for (const { tagKey } of req.tags) {
      if (isReservedTagKey(tagKey)) {
        throw new KmsError(ErrorCodes.TAG, `Tag keys beginning with '${RESERVED_TAG_PREFIX}' are reserved.`);
      }
      if (seen.has(tagKey)) throw new KmsError(ErrorCodes.TAG, 'A tag key appears more than once.');
      seen.add(tagKey);
    }
    KeyResolver.requireState(stored, NOT_PENDING_DELETION);
    await this.admin.tag(stored.key.id, req.tags, MAX_TAGS_PER_KEY);
    this.resolver.forget(stored.key.tenantId, stored.key.id);
    return { keyArn: stored.key.arn };
  }
}
