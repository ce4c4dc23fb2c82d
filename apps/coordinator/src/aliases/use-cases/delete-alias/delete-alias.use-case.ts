import { Inject, Injectable } from '@nestjs/common';
import { type AliasChangeReply, DeleteAliasRequest, ErrorCodes, KmsError } from '@symbolon/contracts';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../../../config.js';
import { keyArn } from '../../../keys/key-id.js';
import { KeyResolver } from '../../../keys/key-resolver.js';
import { aliasArn } from '../../alias-name.js';
import { refuseReserved } from '../../alias-target.js';
import { AliasRepository } from '../../alias.repository.js';

/** Deletes an alias of the caller's account, in any state of its key; policy decides on the key it names. */
@Injectable()
export class DeleteAliasUseCase {
  constructor(
    @Inject(AliasRepository) private readonly aliases: AliasRepository,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async execute(req: DeleteAliasRequest): Promise<AliasChangeReply> {
    refuseReserved(req.aliasName);
    const region = this.config.SYMBOLON_REGION;
    const notFound = () =>
      new KmsError(
        ErrorCodes.NOT_FOUND,
        `Alias ${aliasArn(region, req.tenantId, req.aliasName)} is not found.`,
      );
    const alias = await this.aliases.find(req.tenantId, req.aliasName);
    if (!alias) throw notFound();
    const key = await this.resolver.find(req.tenantId, alias.targetKeyId).catch((e: unknown) => {
      if (e instanceof KmsError && e.code === ErrorCodes.NOT_FOUND) return undefined;
      throw e;
    });
    if (key?.stored) await this.resolver.authorizeFound(req, key, 'kms:DeleteAlias');
    if (!(await this.aliases.delete(req.tenantId, req.aliasName))) throw notFound();
    this.resolver.forgetAlias(req.tenantId, req.aliasName);
    return { keyArn: key?.stored?.key.arn ?? keyArn(region, req.tenantId, alias.targetKeyId) };
  }
}
