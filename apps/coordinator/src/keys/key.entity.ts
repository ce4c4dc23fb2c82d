import { timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import type { KeyOrigin, KeyState, RotationType } from '@symbolon/contracts';

@Entity({ name: 'keys' })
@Index('idx_keys_tenant_id', ['tenantId', 'id'])
export class KeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 12 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 2048 })
  arn!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'key_state', type: 'varchar', length: 32 })
  keyState!: KeyState;

  @Column({ name: 'key_usage', type: 'varchar', length: 32 })
  keyUsage!: 'ENCRYPT_DECRYPT';

  @Column({ name: 'key_spec', type: 'varchar', length: 32 })
  keySpec!: 'SYMMETRIC_DEFAULT';

  @Column({ type: 'varchar', length: 32 })
  origin!: KeyOrigin;

  /**
   * The domain whose tokens hold the key's domain-key generations (migration DomainPlacement1796400000000 places the
   * keys made before it in the default domain). AWS_CLOUDHSM keys name it to their callers as their CustomKeyStoreId.
   */
  @Column({ name: 'domain_id', type: 'varchar', length: 64, nullable: true })
  domainId!: string | null;

  @Column({ name: 'current_version', type: 'integer' })
  currentVersion!: number;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;

  /*
   * Lifecycle (migration KeyLifecycle1795916000000). Optional in this type because a new key leaves them to the
   * column defaults (null, rotation off); a row read back always has them.
   */

  /** When the deletion job deletes the key; set only while PendingDeletion. */
  @Column({ name: 'deletion_date', type: timestampType(), nullable: true })
  deletionDate?: Date | null;

  /** The ScheduleKeyDeletion waiting period in days; set only while PendingDeletion. */
  @Column({ name: 'pending_window_days', type: 'integer', nullable: true })
  pendingWindowDays?: number | null;

  @Column({ name: 'rotation_enabled', type: 'boolean', default: false })
  rotationEnabled?: boolean;

  /** Days between automatic rotations; set while rotation is enabled. */
  @Column({ name: 'rotation_period_days', type: 'integer', nullable: true })
  rotationPeriodDays?: number | null;

  /** When the rotation job makes the next AUTOMATIC version; set while rotation is enabled. */
  @Column({ name: 'next_rotation_date', type: timestampType(), nullable: true })
  nextRotationDate?: Date | null;

  /** ShredKey's signed receipt (JSON), kept so that a repeated ShredKey answers the same receipt. */
  @Column({ name: 'shred_receipt', type: 'text', nullable: true })
  shredReceipt?: string | null;
}

/** One row per key version: its key material as an EKT (wrapped under a domain key generation). */
@Entity({ name: 'key_versions' })
@Index('idx_key_versions_generation', ['domainGeneration'])
export class KeyVersionEntity {
  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 36 })
  keyId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  /** libs/formats EKT, base64. Wrapped key material only; never plaintext. Empty while the key is Suspended. */
  @Column({ type: 'text' })
  ekt!: string;

  @Column({ name: 'domain_generation', type: 'integer' })
  domainGeneration!: number;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;

  /** How the version came to be: null for the first key material, else the kind of rotation that made it. */
  @Column({ name: 'rotation_type', type: 'varchar', length: 16, nullable: true })
  rotationType?: RotationType | null;

  /**
   * While the key is Suspended: a random value sealed under this version's key material (iv || ciphertext || tag,
   * base64), which ReinstateKey checks the returned key material against. It decrypts nothing.
   */
  @Column({ name: 'suspend_check', type: 'text', nullable: true })
  suspendCheck?: string | null;
}
