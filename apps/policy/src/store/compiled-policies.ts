import { Inject, Injectable } from '@nestjs/common';
import type { PolicyChangedNotice } from '@symbolon/contracts';
import { BoundedTtlMap } from '@symbolon/platform';
import { type CompiledPolicy, type GrantRule, compilePolicy } from '@symbolon/policy-engine';

import { PolicyRepository } from './policy.repository.js';
import { grantRule } from './grant-rule.js';

const MAX_ENTRIES = 10_000;
/** A safety net only: every change drops the cached copy at once, on every replica, through a notice. */
const TTL_MS = 60_000;

/**
 * Compiled key policies, identity policy sets and grant lists, each compiled once and kept until a change notice
 * (or, as a safety net, a minute). Decisions then cost no database read and no parsing.
 */
@Injectable()
export class CompiledPolicies {
  private readonly keyPolicies = new BoundedTtlMap<CompiledPolicy>(MAX_ENTRIES, TTL_MS);
  private readonly identities = new BoundedTtlMap<{ name: string; policy: CompiledPolicy }[]>(
    MAX_ENTRIES,
    TTL_MS,
  );
  private readonly grants = new BoundedTtlMap<GrantRule[]>(MAX_ENTRIES, TTL_MS);

  constructor(@Inject(PolicyRepository) private readonly repo: PolicyRepository) {}

  async keyPolicy(keyArn: string, accountId: string): Promise<CompiledPolicy> {
    const hit = this.keyPolicies.get(keyArn);
    if (hit) return hit;
    const compiled = compilePolicy(await this.repo.keyPolicy(keyArn, accountId), 'key');
    this.keyPolicies.set(keyArn, compiled);
    return compiled;
  }

  async identity(principalArn: string): Promise<{ name: string; policy: CompiledPolicy }[]> {
    const hit = this.identities.get(principalArn);
    if (hit) return hit;
    const compiled = (await this.repo.identityPolicies(principalArn)).map((p) => ({
      name: p.name,
      policy: compilePolicy(p.document, 'identity'),
    }));
    this.identities.set(principalArn, compiled);
    return compiled;
  }

  async grantsOf(keyArn: string): Promise<GrantRule[]> {
    const hit = this.grants.get(keyArn);
    if (hit) return hit;
    const rules = (await this.repo.grantsOfKey(keyArn)).map(grantRule);
    this.grants.set(keyArn, rules);
    return rules;
  }

  /** Drops what a change touched; a notice naming nothing drops everything. */
  invalidate(notice: PolicyChangedNotice): void {
    if (notice.keyArn === undefined && notice.principalArn === undefined) {
      this.clear();
      return;
    }
    if (notice.keyArn !== undefined) {
      this.keyPolicies.delete(notice.keyArn);
      this.grants.delete(notice.keyArn);
    }
    if (notice.principalArn !== undefined) this.identities.delete(notice.principalArn);
  }

  clear(): void {
    this.keyPolicies.clear();
    this.identities.clear();
    this.grants.clear();
  }
}
