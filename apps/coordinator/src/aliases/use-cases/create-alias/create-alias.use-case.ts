import { Inject, Injectable } from '@nestjs/common';
import { type AliasChangeReply, CreateAliasRequest, ErrorCodes, KmsError } from '@symbolon/contracts';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { KeyResolver } from '../../../keys/key-resolver.js';
import { aliasArn } from '../../alias-name.js';
import { aliasTarget, refuseReserved } from '../../alias-target.js';
import { AliasRepository } from '../../alias.repository.js';

/** A new alias of the caller's account for one of its keys; of concurrent creations of one name exactly one wins. */
@Injectable()
export class CreateAliasUseCase {
  constructor(
    @Inject(AliasRepository) private readonly aliases: AliasRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async execute(req: CreateAliasRequest): Promise<AliasChangeReply> {
    refuseReserved(req.aliasName);
    const arn = aliasArn(this.config.SYMBOLON_REGION, req.tenantId, req.aliasName);
    const exists = () =>
      new KmsError(ErrorCodes.ALREADY_EXISTS, `An alias with the name ${arn} already exists`);
    if (await this.aliases.find(req.tenantId, req.aliasName)) throw exists();
    const target = await aliasTarget(this.resolver, req, req.targetKeyId, 'kms:CreateAlias');
    const now = new Date();
    try {
      await this.aliases.create({
        tenantId: req.tenantId,
        aliasName: req.aliasName,
        targetKeyId: target.key.id,
        createdAt: now,
        updatedAt: now,
      });
    } catch (e) {
      if (e instanceof KmsError && e.code === ErrorCodes.ALREADY_EXISTS) throw exists();
      throw e;
    }
    this.resolver.forgetAlias(req.tenantId, req.aliasName);
    return { keyArn: target.key.arn };
  }
}
