import { ENCRYPTING_OPERATIONS, type RequestHandledEvent } from '@symbolon/contracts';
import type { DataSource, EntityManager } from 'typeorm';

import { AuditRecordEntity, UsageCounterEntity } from './audit-record.entity.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';

/**
 * The single writer of the audit log: appends records to the hash chain and bumps usage counters in the same
 * transaction. Records already stored (a redelivery) are skipped, so each request is recorded exactly once.
 */
export class AuditStore {
  private lastSequence = 0;
  private lastHash = GENESIS_HASH;

  constructor(private readonly ds: DataSource) {}

  async load(): Promise<void> {
    const last = await this.ds
      .getRepository(AuditRecordEntity)
      .find({ order: { sequence: 'DESC' }, take: 1 });
    this.lastSequence = last[0]?.sequence ?? 0;
    this.lastHash = last[0]?.hash ?? GENESIS_HASH;
  }

  /** Stores a batch; returns how many were new. */
  async append(events: readonly RequestHandledEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    let sequence = this.lastSequence;
    let hash = this.lastHash;
    const stored = await this.ds.transaction(async (m) => {
      const known = await this.knownRequestIds(
        m,
        events.map((e) => e.requestId),
      );
      const rows: AuditRecordEntity[] = [];
      const usage = new Map<string, { keyArn: string; keyVersion: number; tenantId: string; n: number }>();
      for (const e of events) {
        if (known.has(e.requestId)) continue;
        known.add(e.requestId);
        const record = JSON.stringify(e);
        sequence += 1;
        const prevHash = hash;
        hash = chainHash(prevHash, sequence, record);
        rows.push({
          sequence,
          requestId: e.requestId,
          tenantId: e.tenantId,
          time: new Date(e.time),
          operation: e.operation,
          keyArn: e.keyArn,
          outcome: e.outcome,
          record,
          prevHash,
          hash,
        });
        if (
          e.outcome === 'ok' &&
          e.keyArn &&
          e.keyVersion &&
          e.tenantId &&
          ENCRYPTING_OPERATIONS.includes(e.operation)
        ) {
          const k = `${e.keyArn}#${e.keyVersion}`;
          const u = usage.get(k) ?? {
            keyArn: e.keyArn,
            keyVersion: e.keyVersion,
            tenantId: e.tenantId,
            n: 0,
          };
          u.n += 1;
          usage.set(k, u);
        }
      }
      for (let i = 0; i < rows.length; i += 100) await m.insert(AuditRecordEntity, rows.slice(i, i + 100));
      for (const u of usage.values()) await this.bump(m, u);
      return rows.length;
    });
    this.lastSequence = sequence;
    this.lastHash = hash;
    return stored;
  }

  private async knownRequestIds(m: EntityManager, ids: string[]): Promise<Set<string>> {
    const found = await m
      .getRepository(AuditRecordEntity)
      .createQueryBuilder('r')
      .select('r.requestId', 'requestId')
      .where('r.requestId IN (:...ids)', { ids })
      .getRawMany<{ requestId: string }>();
    return new Set(found.map((f) => f.requestId));
  }

  private async bump(
    m: EntityManager,
    u: { keyArn: string; keyVersion: number; tenantId: string; n: number },
  ): Promise<void> {
    const result = await m
      .createQueryBuilder()
      .update(UsageCounterEntity)
      .set({ encryptions: () => `encryptions + ${Math.trunc(u.n)}` })
      .where('key_arn = :keyArn AND key_version = :keyVersion', {
        keyArn: u.keyArn,
        keyVersion: u.keyVersion,
      })
      .execute();
    if (!result.affected) {
      await m.insert(UsageCounterEntity, {
        keyArn: u.keyArn,
        keyVersion: u.keyVersion,
        tenantId: u.tenantId,
        encryptions: u.n,
      });
    }
  }
}
