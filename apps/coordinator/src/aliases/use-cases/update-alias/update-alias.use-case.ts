import { Inject, Injectable } from '@nestjs/common';
import { type AliasChangeReply, ErrorCodes, KmsError, UpdateAliasRequest } from '@symbolon/contracts';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { KeyResolver } from '../../../keys/key-resolver.js';
import { aliasArn } from '../../alias-name.js';
import { aliasTarget, refuseReserved } from '../../alias-target.js';
import { AliasRepository } from '../../alias.repository.js';

/**
 * Points an existing alias at another key of the caller's account. Policy must allow kms:UpdateAlias on the new key
 * and on the key the alias names now (when that key still exists).
 */
@Injectable()
export class UpdateAliasUseCase {
  constructor(
    @Inject(AliasRepository) private readonly aliases: AliasRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async execute(req: UpdateAliasRequest): Promise<AliasChangeReply> {
    refuseReserved(req.aliasName);
    const arn = aliasArn(this.config.SYMBOLON_REGION, req.tenantId, req.aliasName);
    const notFound = () => new KmsError(ErrorCodes.NOT_FOUND, `Alias ${arn} is not found.`);
    const alias = await this.aliases.find(req.tenantId, req.aliasName);
    if (!alias) throw notFound();
    const target = await aliasTarget(this.resolver, req, req.targetKeyId, 'kms:UpdateAlias');
    if (alias.targetKeyId !== target.key.id) {
      const current = await this.resolver.find(req.tenantId, alias.targetKeyId).catch((e: unknown) => {
        if (e instanceof KmsError && e.code === ErrorCodes.NOT_FOUND) return undefined;
        throw e;
      });
      if (current?.stored) await this.resolver.authorizeFound(req, current, 'kms:UpdateAlias');
    }
    if (!(await this.aliases.retarget(req.tenantId, req.aliasName, target.key.id, new Date()))) {
      throw notFound();
    }
    this.resolver.forgetAlias(req.tenantId, req.aliasName);
    return { keyArn: target.key.arn };
  }
}
