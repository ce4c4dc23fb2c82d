import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditQueryReply,
  AuditQueryRequest,
  type RequestHandledEvent,
  type UsageReply,
  UsageRequest,
  type WornVersionsReply,
  WornVersionsRequest,
} from '@symbolon/contracts';
import { type DataSource, MoreThanOrEqual } from 'typeorm';

import { AUDIT_DATA_SOURCE } from '../../tokens.js';
import { AuditRecordEntity, UsageCounterEntity } from '../audit-record.entity.js';

/** A tenant's own records (newest first) and usage counters; never another tenant's. */
@Injectable()
export class QueryRecordsUseCase {
  constructor(@Inject(AUDIT_DATA_SOURCE) private readonly ds: DataSource) {}

  async records(req: AuditQueryRequest): Promise<AuditQueryReply> {
    const where = req.keyArn ? { tenantId: req.tenantId, keyArn: req.keyArn } : { tenantId: req.tenantId };
    const repo = this.ds.getRepository(AuditRecordEntity);
    const [rows, total] = await repo.findAndCount({ where, order: { sequence: 'DESC' }, take: req.limit });
    return {
      records: rows.map((r) => ({
        ...(JSON.parse(r.record) as RequestHandledEvent),
        sequence: r.sequence,
        hash: r.hash,
      })),
      total,
    };
  }

  /** Key versions with at least `atLeast` encryptions, most used first (the coordinator's wear-out check). */
  async worn(req: WornVersionsRequest): Promise<WornVersionsReply> {
    const rows = await this.ds.getRepository(UsageCounterEntity).find({
      where: { encryptions: MoreThanOrEqual(req.atLeast) },
      order: { encryptions: 'DESC', keyArn: 'ASC', keyVersion: 'ASC' },
      take: req.limit,
    });
    return {
      versions: rows.map((r) => ({ keyArn: r.keyArn, keyVersion: r.keyVersion, encryptions: r.encryptions })),
    };
  }

  async usage(req: UsageRequest): Promise<UsageReply> {
    const rows = await this.ds
      .getRepository(UsageCounterEntity)
      .find({ where: { tenantId: req.tenantId, keyArn: req.keyArn }, order: { keyVersion: 'ASC' } });
    return { versions: rows.map((r) => ({ keyVersion: r.keyVersion, encryptions: r.encryptions })) };
  }
}
