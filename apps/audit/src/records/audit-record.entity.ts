import { bigintToNumber, timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One handled request. Append-only; each record's hash covers the previous hash (a chain). */
@Entity({ name: 'audit_records' })
@Index('idx_audit_records_tenant_seq', ['tenantId', 'sequence'])
@Index('idx_audit_records_request_id', ['requestId'], { unique: true })
export class AuditRecordEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  sequence!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 12, nullable: true })
  tenantId!: string | null;

  @Column({ type: timestampType() })
  time!: Date;

  @Column({ type: 'varchar', length: 64 })
  operation!: string;

  @Column({ name: 'key_arn', type: 'varchar', length: 2048, nullable: true })
  keyArn!: string | null;

  @Column({ type: 'varchar', length: 128 })
  outcome!: string;

  /** The RequestHandledEvent as JSON. */
  @Column({ type: 'text' })
  record!: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** Encryptions per key version (Encrypt, GenerateDataKey*), billing-grade. */
@Entity({ name: 'usage_counters' })
export class UsageCounterEntity {
  @PrimaryColumn({ name: 'key_arn', type: 'varchar', length: 2048 })
  keyArn!: string;

  @PrimaryColumn({ name: 'key_version', type: 'integer' })
  keyVersion!: number;

  @Column({ name: 'tenant_id', type: 'varchar', length: 12 })
  tenantId!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  encryptions!: number;
}

/** A digest of the chain head signed inside a token (libs/evidence Signed<AuditDigest>, as JSON). */
@Entity({ name: 'audit_digests' })
export class AuditDigestEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  sequence!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: timestampType() })
  time!: Date;

  @Column({ type: 'text' })
  signed!: string;
}
