import { ErrorCodes, KmsError } from '@symbolon/contracts';
import type { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { MoreThan } from 'typeorm';

import { AliasEntity } from './alias.entity.js';
import { isUniqueViolation } from './unique-violation.js';

/** Alias queries. Every query names the account: an alias of another account can never be read or changed. */
export class AliasRepository {
  private readonly aliases: Repository<AliasEntity>;

  constructor(ds: DataSource) {
    this.aliases = ds.getRepository(AliasEntity);
  }

  /** One INSERT: of concurrent creations of one name exactly one succeeds, the others are ALREADY_EXISTS. */
  async create(alias: AliasEntity): Promise<void> {
    try {
      await this.aliases.insert(alias);
    } catch (e) {
      if (isUniqueViolation(e)) throw new KmsError(ErrorCodes.ALREADY_EXISTS, 'alias exists');
      throw e;
    }
  }

  find(tenantId: string, aliasName: string): Promise<AliasEntity | null> {
    return this.aliases.findOne({ where: { tenantId, aliasName } });
  }

  /** Points the alias at another key; false when the alias does not exist (any more). */
  async retarget(tenantId: string, aliasName: string, targetKeyId: string, now: Date): Promise<boolean> {
    const r = await this.aliases.update({ tenantId, aliasName }, { targetKeyId, updatedAt: now });
    return (r.affected ?? 0) > 0;
  }

  async delete(tenantId: string, aliasName: string): Promise<boolean> {
    const r = await this.aliases.delete({ tenantId, aliasName });
    return (r.affected ?? 0) > 0;
  }

  /** Aliases of one account by name, after the given name, optionally only those of one key. */
  list(
    tenantId: string,
    limit: number,
    opts: { afterName?: string; targetKeyId?: string } = {},
  ): Promise<AliasEntity[]> {
    const where: FindOptionsWhere<AliasEntity> = { tenantId };
    if (opts.afterName !== undefined) where.aliasName = MoreThan(opts.afterName);
    if (opts.targetKeyId !== undefined) where.targetKeyId = opts.targetKeyId;
    return this.aliases.find({ where, order: { aliasName: 'ASC' }, take: limit });
  }
}
