import { timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A key's policy document; a key without a row has the default key policy of its account. */
@Entity({ name: 'key_policies' })
export class KeyPolicyEntity {
  @PrimaryColumn({ name: 'key_arn', type: 'varchar', length: 2048 })
  keyArn!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'text' })
  document!: string;

  @Column({ name: 'updated_at', type: timestampType() })
  updatedAt!: Date;
}

/** An inline identity policy of a principal (IAM's user policies). */
@Entity({ name: 'identity_policies' })
export class IdentityPolicyEntity {
  @PrimaryColumn({ name: 'principal_arn', type: 'varchar', length: 2048 })
  principalArn!: string;

  @PrimaryColumn({ name: 'policy_name', type: 'varchar', length: 128 })
  policyName!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'text' })
  document!: string;

  @Column({ name: 'updated_at', type: timestampType() })
  updatedAt!: Date;
}

/** A grant on a key. */
@Entity({ name: 'grants' })
@Index('idx_grants_key_arn', ['keyArn', 'grantId'])
@Index('idx_grants_retiring', ['retiringPrincipal', 'grantId'])
export class GrantEntity {
  @PrimaryColumn({ name: 'grant_id', type: 'varchar', length: 64 })
  grantId!: string;

  @Column({ name: 'key_arn', type: 'varchar', length: 2048 })
  keyArn!: string;

  @Column({ name: 'key_account_id', type: 'varchar', length: 12 })
  keyAccountId!: string;

  @Column({ name: 'grantee_principal', type: 'varchar', length: 256 })
  granteePrincipal!: string;

  @Column({ name: 'retiring_principal', type: 'varchar', length: 256, nullable: true })
  retiringPrincipal!: string | null;

  /** JSON array of operation names. */
  @Column({ type: 'text' })
  operations!: string;

  /** JSON GrantConstraints, or null. */
  @Column({ type: 'text', nullable: true })
  constraints!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  name!: string | null;

  @Column({ name: 'issuing_account', type: 'varchar', length: 12 })
  issuingAccount!: string;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}
