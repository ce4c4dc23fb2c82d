import { Inject, Injectable } from '@nestjs/common';
import { ListResourceTagsRequest, type ListResourceTagsReply } from '@symbolon/contracts';

import { KeyAdminRepository } from '../../key-admin.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { decodeMarker, page } from '../../list-marker.js';
import { authorizeOwnKey } from '../../own-key.js';

/** The key's tags by tag key, in any key state. */
@Injectable()
export class ListResourceTagsUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyAdminRepository) private readonly admin: KeyAdminRepository,
  ) {}

  async execute(req: ListResourceTagsRequest): Promise<ListResourceTagsReply> {
    const after = req.marker === undefined ? undefined : decodeMarker(req.marker);
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListResourceTags');
    const rows = await this.admin.listTags(stored.key.id, req.limit + 1, after);
    const { items, nextMarker } = page(rows, req.limit, (t) => t.tagKey);
    return { keyArn: stored.key.arn, tags: items, ...(nextMarker !== undefined ? { nextMarker } : {}) };
  }
}
