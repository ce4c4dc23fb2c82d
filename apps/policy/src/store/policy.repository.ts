import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { DataSource, In, MoreThan } from 'typeorm';

import { POLICY_DATA_SOURCE } from '../tokens.js';
import { defaultKeyPolicy } from './default-key-policy.js';
import { GrantEntity, IdentityPolicyEntity, KeyPolicyEntity } from './policy.entities.js';

/** AWS's quota of grants on one key. */
export const MAX_GRANTS_PER_KEY = 50_000;
/** Inline identity policies a principal may have (a Symbolon limit; IAM limits their total size instead). */
export const MAX_IDENTITY_POLICIES = 10;

/** The policy service's tables: key policies, identity policies, grants. */
@Injectable()
export class PolicyRepository {
  constructor(@Inject(POLICY_DATA_SOURCE) private readonly ds: DataSource) {}

  /** The stored key policy, or the default one of the key's account. */
  async keyPolicy(keyArn: string, accountId: string): Promise<string> {
    const row = await this.ds.getRepository(KeyPolicyEntity).findOneBy({ keyArn });
    return row?.document ?? defaultKeyPolicy(accountId);
  }

  async putKeyPolicy(keyArn: string, accountId: string, document: string): Promise<void> {
    // One statement (INSERT ... ON CONFLICT DO UPDATE): no implicit transaction, as save() would open.
    await this.ds
      .getRepository(KeyPolicyEntity)
      .upsert({ keyArn, accountId, document, updatedAt: new Date() }, ['keyArn']);
  }

  /** Drops a deleted key's policy and grants. */
  async forgetKey(keyArn: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.getRepository(KeyPolicyEntity).delete({ keyArn });
      await m.getRepository(GrantEntity).delete({ keyArn });
    });
  }

  async identityPolicies(principalArn: string): Promise<{ name: string; document: string }[]> {
    const rows = await this.ds
      .getRepository(IdentityPolicyEntity)
      .find({ where: { principalArn }, order: { policyName: 'ASC' } });
    return rows.map((r) => ({ name: r.policyName, document: r.document }));
  }

  /** Creates or replaces; LIMIT_EXCEEDED for a new name beyond MAX_IDENTITY_POLICIES (checked in the transaction). */
  async putIdentityPolicy(
    principalArn: string,
    accountId: string,
    policyName: string,
    document: string,
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      const repo = m.getRepository(IdentityPolicyEntity);
      const names = (await repo.find({ where: { principalArn }, select: { policyName: true } })).map(
        (r) => r.policyName,
      );
      if (!names.includes(policyName) && names.length >= MAX_IDENTITY_POLICIES) {
        throw new KmsError(
          ErrorCodes.LIMIT_EXCEEDED,
          `Cannot exceed quota for PoliciesPerUser: ${MAX_IDENTITY_POLICIES}`,
        );
      }
      await repo.save({ principalArn, policyName, accountId, document, updatedAt: new Date() });
    });
  }

  async deleteIdentityPolicies(principalArn: string, policyName?: string): Promise<number> {
    const result = await this.ds
      .getRepository(IdentityPolicyEntity)
      .delete(policyName === undefined ? { principalArn } : { principalArn, policyName });
    return result.affected ?? 0;
  }

  grantsOfKey(keyArn: string): Promise<GrantEntity[]> {
    return this.ds.getRepository(GrantEntity).find({ where: { keyArn }, order: { grantId: 'ASC' } });
  }

  grantById(grantId: string): Promise<GrantEntity | null> {
    return this.ds.getRepository(GrantEntity).findOneBy({ grantId });
  }

  /** Inserts a grant unless the key already has MAX_GRANTS_PER_KEY (LIMIT_EXCEEDED). */
  async insertGrant(grant: GrantEntity): Promise<void> {
    await this.ds.transaction(async (m) => {
      const repo = m.getRepository(GrantEntity);
      if ((await repo.countBy({ keyArn: grant.keyArn })) >= MAX_GRANTS_PER_KEY) {
        throw new KmsError(
          ErrorCodes.LIMIT_EXCEEDED,
          `The request would exceed the quota of ${MAX_GRANTS_PER_KEY} grants for the KMS key`,
        );
      }
      await repo.insert(grant);
    });
  }

  /** A page of grants in grant id order, after `afterGrantId`. */
  pageOfGrants(
    where: { keyArn?: string; retiringPrincipal?: string; grantId?: string; granteePrincipal?: string },
    afterGrantId: string | undefined,
    limit: number,
  ): Promise<GrantEntity[]> {
    return this.ds.getRepository(GrantEntity).find({
      where: {
        ...where,
        ...(afterGrantId !== undefined && where.grantId === undefined
          ? { grantId: MoreThan(afterGrantId) }
          : {}),
      },
      order: { grantId: 'ASC' },
      take: limit + 1,
    });
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    const result = await this.ds.getRepository(GrantEntity).delete({ grantId: In([grantId]) });
    return (result.affected ?? 0) > 0;
  }
}
