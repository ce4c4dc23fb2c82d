import { Inject, Injectable } from '@nestjs/common';
import { type AliasDto, ListAliasesRequest, type ListAliasesReply } from '@symbolon/contracts';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { KeyResolver } from '../../../keys/key-resolver.js';
import { PolicyClient } from '../../../policy/policy.client.js';
import { decodeMarker, page } from '../../../keys/list-marker.js';
import { authorizeOwnKey } from '../../../keys/own-key.js';
import { aliasArn } from '../../alias-name.js';
import type { AliasEntity } from '../../alias.entity.js';
import { AliasRepository } from '../../alias.repository.js';

/**
 * The caller's own aliases by name, when its identity policies allow kms:ListAliases (AWS decides it by IAM policy).
 * With a KeyId only that key's aliases, and the key's policy must allow kms:ListAliases on it too.
 */
@Injectable()
export class ListAliasesUseCase {
  constructor(
    @Inject(AliasRepository) private readonly aliases: AliasRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
  ) {}

  async execute(req: ListAliasesRequest): Promise<ListAliasesReply> {
    await this.policy.authorizeAccount(req, 'kms:ListAliases');
    const afterName = req.marker === undefined ? undefined : decodeMarker(req.marker);
    const key =
      req.keyId === undefined
        ? undefined
        : await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListAliases');
    const rows = await this.aliases.list(req.tenantId, req.limit + 1, {
      ...(afterName !== undefined ? { afterName } : {}),
      ...(key ? { targetKeyId: key.key.id } : {}),
    });
    const { items, nextMarker } = page(rows, req.limit, (a) => a.aliasName);
    return {
      aliases: items.map((a) => this.toDto(a)),
      ...(nextMarker !== undefined ? { nextMarker } : {}),
      ...(key ? { keyArn: key.key.arn } : {}),
    };
  }

  private toDto(a: AliasEntity): AliasDto {
    return {
      aliasName: a.aliasName,
      aliasArn: aliasArn(this.config.SYMBOLON_REGION, a.tenantId, a.aliasName),
      targetKeyId: a.targetKeyId,
      creationDate: new Date(a.createdAt).toISOString(),
      lastUpdatedDate: new Date(a.updatedAt).toISOString(),
    };
  }
}
