import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditChainReply,
  AuditChainRequest,
  type AuditQueryReply,
  AuditQueryRequest,
  type RequestHandledEvent,
  type SignedDocumentDto,
  type UsageReply,
  UsageRequest,
  type WornVersionsReply,
  WornVersionsRequest,
} from '@symbolon/contracts';
import {
  Between,
  type DataSource,
  type FindOptionsWhere,
  LessThan,
  LessThanOrEqual,
  MoreThanOrEqual,
} from 'typeorm';

import { AUDIT_DATA_SOURCE } from '../../tokens.js';
import { AuditDigestEntity, AuditRecordEntity, UsageCounterEntity } from '../audit-record.entity.js';
import { ownerOf } from '../audit-store.js';

/** A tenant's own records (newest first) and usage counters; never another tenant's. */
@Injectable()
export class QueryRecordsUseCase {
  constructor(@Inject(AUDIT_DATA_SOURCE) private readonly ds: DataSource) {}

  /**
   * Newest first. Without keyArn: the tenant's own requests. With keyArn (a key the tenant owns, as the coordinator
   * checked): every record of that key, other accounts' uses under a grant included, as a key owner expects.
   */
  async records(req: AuditQueryRequest): Promise<AuditQueryReply> {
    const where: FindOptionsWhere<AuditRecordEntity> = req.keyArn
      ? { keyArn: req.keyArn }
      : { tenantId: req.tenantId };
    if (req.operation !== undefined) where.operation = req.operation;
    if (req.beforeSequence !== undefined) where.sequence = LessThan(req.beforeSequence);
    if (req.startTime !== undefined && req.endTime !== undefined) {
      where.time = Between(new Date(req.startTime), new Date(req.endTime));
    } else if (req.startTime !== undefined) where.time = MoreThanOrEqual(new Date(req.startTime));
    else if (req.endTime !== undefined) where.time = LessThanOrEqual(new Date(req.endTime));
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

  /**
   * A run of the chain in order: every link's sequence and hashes, the record itself only when it is the tenant's
   * (made by it, or on one of its keys; with keyArn, on that key), and the signed digests among the links.
   */
  async chain(req: AuditChainRequest): Promise<AuditChainReply> {
    const last = req.fromSequence + req.limit - 1;
    const rows = await this.ds.getRepository(AuditRecordEntity).find({
      select: { sequence: true, prevHash: true, hash: true, tenantId: true, keyArn: true, record: true },
      where: { sequence: Between(req.fromSequence, last) },
      order: { sequence: 'ASC' },
    });
    const own = (r: AuditRecordEntity): boolean =>
      req.keyArn !== undefined
        ? r.keyArn === req.keyArn
        : r.tenantId === req.tenantId || (r.keyArn !== null && ownerOf(r.keyArn) === req.tenantId);
    const digests = await this.ds.getRepository(AuditDigestEntity).find({
      where: { sequence: Between(req.fromSequence, last) },
      order: { sequence: 'ASC' },
    });
    const [head] = await this.ds
      .getRepository(AuditRecordEntity)
      .find({ select: { sequence: true }, order: { sequence: 'DESC' }, take: 1 });
    return {
      links: rows.map((r) => ({
        s: r.sequence,
        p: r.prevHash,
        h: r.hash,
        ...(own(r) ? { r: r.record } : {}),
      })),
      digests: digests.map((d) => JSON.parse(d.signed) as SignedDocumentDto),
      headSequence: head?.sequence ?? 0,
    };
  }
}
