import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type KeyAdminReply,
  KmsError,
  RESERVED_TAG_PREFIX,
  UntagResourceRequest,
} from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../../own-key.js';
import { isReservedTagKey } from '../tag-resource/tag-resource.use-case.js';

/** Removes the named tags; tag keys the key does not carry are ignored. */
@Injectable()
export class UntagResourceUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: UntagResourceRequest): Promise<KeyAdminReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:UntagResource');
    if (req.tagKeys.some(isReservedTagKey)) {
      throw new KmsError(ErrorCodes.TAG, `Tag keys beginning with '${RESERVED_TAG_PREFIX}' are reserved.`);
    }
    KeyResolver.requireState(stored, NOT_PENDING_DELETION);
    await this.admin.untag(stored.key.id, req.tagKeys);
    this.resolver.forget(stored.key.tenantId, stored.key.id);
    return { keyArn: stored.key.arn };
  }
}
