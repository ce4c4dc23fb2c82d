import { Inject, Injectable } from '@nestjs/common';
import { HsmActions, type HsmRewrapReply, fromBase64 } from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';
import { logger, registry } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';

import { DomainService } from '../domain/domain.service.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { KeyEntity, KeyVersionEntity } from '../keys/key.entity.js';
import { HsmRouter } from '../routing/hsm-router.js';
import { DATA_SOURCE } from '../tokens.js';

/**
 * EKTs per hsm request (the contract's bound). The node lets waiting requests through every 25 EKTs (bench, 100,000
 * keys: 6,600 keys/s with Encrypt at 0.73 of its rate; without those turns, 9,700 keys/s at 0.38, or with batches of
 * 250, 6,800 keys/s at 0.62).
 */
export const REWRAP_BATCH = 1000;
/** Passes over a domain's keys per run: a row changed under one pass is taken by the next. */
const MAX_PASSES = 3;

const remainingGauge = new Gauge({
  name: 'kms_domain_rewrap_remaining',
  help: "Key versions whose EKT is still wrapped under a generation other than their domain's active one",
  labelNames: ['domain'],
  registers: [registry],
});

/**
 * Domain-key rotation's second half: every EKT wrapped under an older generation is wrapped again under the active one
 * inside a token of the key's domain, in batches, while traffic continues. Each row is updated only if it still holds
 * the EKT that was re-wrapped (a concurrent rotation of the key, a shred or a suspension wins). Once nothing remains
 * under a retiring generation, the operators can approve its destruction. Each domain is re-wrapped on its own.
 */
@Injectable()
export class Rewrap {
  /** Per domain: the count at its active generation, as last counted and moved since. */
  private readonly counted = new Map<string, { active: number; n: number }>();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(DomainService) private readonly domain: DomainService,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
  ) {}

  /** The key versions of a domain's keys that still hold an EKT (suspended keys have none). */
  private versionsIn(domainId: string) {
    return this.ds
      .getRepository(KeyVersionEntity)
      .createQueryBuilder('v')
      .innerJoin(KeyEntity, 'k', 'k.id = v.key_id')
      .where('k.domain_id = :domainId', { domainId })
      .andWhere("v.ekt <> ''");
  }

  /** Key versions of the domain still under `generation` (a destruction must wait for none). */
  under(domainId: string, generation: number): Promise<number> {
    return this.versionsIn(domainId).andWhere('v.domain_generation = :generation', { generation }).getCount();
  }

  /** The generations a rotation left to move away from (the job looks at the table only when there are some). */
  private retiring(domainId: string): number[] {
    return this.domain
      .current(domainId)
      .generations.filter((g) => g.state === 'retiring')
      .map((g) => g.generation);
  }

  /** The domain's key versions under a retiring generation (by the generation index, so none left costs nothing). */
  private underRetiring(domainId: string, retiring: readonly number[]) {
    return this.versionsIn(domainId).andWhere('v.domain_generation IN (:...retiring)', { retiring });
  }

  /**
   * Key versions of a domain (every domain without one) still under another generation than the active one. Counted
   * once per rotation (a join over the domain's keys), then kept up to date by the job as it moves them, and counted
   * again when it ends: `domain status` can be asked often while the job runs.
   */
  async remaining(domainId?: string): Promise<number> {
    let total = 0;
    for (const id of domainId !== undefined ? [domainId] : this.domain.all().map((d) => d.domainId)) {
      total += await this.left(id);
    }
    return total;
  }

  private async left(domainId: string, recount = false): Promise<number> {
    const active = this.domain.current(domainId).generation;
    const retiring = this.retiring(domainId);
    const kept = this.counted.get(domainId);
    let n: number;
    if (retiring.length === 0) n = 0;
    else if (!recount && kept?.active === active) n = kept.n;
    else n = await this.underRetiring(domainId, retiring).getCount();
    this.counted.set(domainId, { active, n });
    remainingGauge.set({ domain: domainId }, n);
    return n;
  }

  /** The job moved `n` key versions of the domain. */
  private moved(domainId: string, n: number): void {
    const kept = this.counted.get(domainId);
    if (kept) {
      kept.n = Math.max(0, kept.n - n);
      remainingGauge.set({ domain: domainId }, kept.n);
    }
  }

  /**
   * Writes a batch back in one statement: each row takes its new EKT only if it still holds the one that was re-wrapped.
   * `UPDATE ... FROM (VALUES ...) RETURNING` reads the same on SQLite (3.35+) and PostgreSQL; VALUES columns are
   * column1.. in both. Returns how many rows changed.
   */
  private async store(batch: readonly KeyVersionEntity[], ekts: readonly string[]): Promise<number> {
    const { driver } = this.ds;
    const table = driver.buildTableName('key_versions', (driver.options as { schema?: string }).schema);
    const params: unknown[] = [];
    const slot = (v: unknown) => {
      params.push(v);
      return driver.createParameter(`p${params.length - 1}`, params.length - 1);
    };
    const rows = batch.map((v, i) => {
      const ekt = ekts[i]!;
      const generation = deserializeEkt(fromBase64(ekt)).domainGeneration;
      return `(${slot(v.keyId)}, ${slot(v.version)}, ${slot(v.ekt)}, ${slot(ekt)}, ${slot(generation)})`;
    });
    const result: unknown = await this.ds.query(
      `UPDATE ${table} SET ekt = v.column4, domain_generation = CAST(v.column5 AS integer)
       FROM (VALUES ${rows.join(', ')}) AS v
       WHERE ${table}.key_id = v.column1 AND ${table}.version = CAST(v.column2 AS integer) AND ${table}.ekt = v.column3
       RETURNING 1 AS changed`,
      params,
    );
    // TypeORM answers an UPDATE on PostgreSQL as [rows, rowCount]; on SQLite as the RETURNING rows.
    if (
      Array.isArray(result) &&
      result.length === 2 &&
      Array.isArray(result[0]) &&
      typeof result[1] === 'number'
    ) {
      return result[1];
    }
    return (result as unknown[]).length;
  }

  /** Re-wraps every domain until nothing is left; returns how many key versions moved. */
  async run(): Promise<number> {
    let moved = 0;
    for (const { domainId } of this.domain.all()) {
      if (this.retiring(domainId).length > 0) moved += await this.runDomain(domainId);
    }
    return moved;
  }

  private async runDomain(domainId: string): Promise<number> {
    const active = this.domain.current(domainId).generation;
    const retiring = this.retiring(domainId);
    const route = this.hsm.in(domainId);
    // Until the operators destroy the retired generation, every job run comes here: with nothing left it stops now.
    if ((await this.left(domainId, true)) === 0) return 0;
    let moved = 0;
    // Keyset pagination in primary-key order: each batch starts where the last one ended (an index range, not a scan
    // from the start); a pass that found rows is followed by another, for rows that changed under it.
    let after = { keyId: '', version: 0 };
    let foundInPass = false;
    let passes = 1;
    for (;;) {
      const batch = await this.underRetiring(domainId, retiring)
        .select(['v.keyId', 'v.version', 'v.ekt'])
        .andWhere('(v.key_id > :keyId OR (v.key_id = :keyId AND v.version > :version))', after)
        .orderBy('v.key_id')
        .addOrderBy('v.version')
        .limit(REWRAP_BATCH)
        .getMany();
      if (batch.length === 0) {
        if (!foundInPass || passes === MAX_PASSES) break; // the next run looks again
        passes++;
        after = { keyId: '', version: 0 };
        foundInPass = false;
        continue;
      }
      foundInPass = true;
      const last = batch[batch.length - 1]!;
      after = { keyId: last.keyId, version: last.version };
      const r = await route.call<HsmRewrapReply>(HsmActions.rewrap, {
        requestId: `rewrap-${randomUUID()}`,
        ekts: batch.map((v) => v.ekt),
      });
      if (r.domainGeneration !== active) {
        throw new Error(
          `the hsm node re-wraps under generation ${r.domainGeneration}, domain ${domainId}'s is ${active}`,
        );
      }
      const updated = await this.store(batch, r.ekts);
      // This replica's cached EKTs are the old ones now; other replicas' expire within the key cache TTL.
      this.resolver.forgetKeys(new Set(batch.map((v) => v.keyId)));
      moved += updated;
      this.moved(domainId, updated);
    }
    if (moved > 0)
      logger.info({ moved, domainId, generation: active }, 'EKTs re-wrapped under the active generation');
    await this.left(domainId, true);
    return moved;
  }
}
