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

  /** Whether a rotation left a generation to move away from (the job looks at the table only then). */
  private rotating(domainId: string): boolean {
    return this.domain.current(domainId).generations.some((g) => g.state === 'retiring');
  }

  /** Key versions of a domain (every domain without one) still under another generation than the active one. */
  async remaining(domainId?: string): Promise<number> {
    let total = 0;
    for (const id of domainId !== undefined ? [domainId] : this.domain.all().map((d) => d.domainId)) {
      const n = this.rotating(id)
        ? await this.versionsIn(id)
            .andWhere('v.domain_generation <> :active', { active: this.domain.current(id).generation })
            .getCount()
        : 0;
      remainingGauge.set({ domain: id }, n);
      total += n;
    }
    return total;
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
      if (this.rotating(domainId)) moved += await this.runDomain(domainId);
    }
    return moved;
  }

  private async runDomain(domainId: string): Promise<number> {
    const active = this.domain.current(domainId).generation;
    const route = this.hsm.in(domainId);
    let moved = 0;
    for (;;) {
      const batch = await this.versionsIn(domainId)
        .select(['v.keyId', 'v.version', 'v.ekt'])
        .andWhere('v.domain_generation <> :active', { active })
        .limit(REWRAP_BATCH)
        .getMany();
      if (batch.length === 0) break;
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
      if (updated === 0) break; // every row changed under us: the next run looks again
    }
    if (moved > 0)
      logger.info({ moved, domainId, generation: active }, 'EKTs re-wrapped under the active generation');
    await this.remaining(domainId);
    return moved;
  }
}
