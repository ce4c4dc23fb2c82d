import { timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tenant: an AWS-style 12-digit account. */
@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 12 })
  id!: string;

  @Column({ type: 'varchar', length: 256 })
  name!: string;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}

/**
 * An access key of a principal. The secret is needed to verify SigV4 (an HMAC), so it is kept, never logged, and at
 * rest only wrapped under the platform key (`secretWrapped`; a row written before wrapping existed holds plaintext
 * until the next gateway start wraps it).
 */
@Entity({ name: 'access_keys' })
@Index('idx_access_keys_account', ['accountId'])
export class AccessKeyEntity {
  @PrimaryColumn({ name: 'access_key_id', type: 'varchar', length: 128 })
  accessKeyId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'principal_arn', type: 'varchar', length: 2048 })
  principalArn!: string;

  @Column({ type: 'varchar', length: 2048 })
  secret!: string;

  @Column({ name: 'secret_wrapped', type: 'boolean' })
  secretWrapped!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: 'Active' | 'Inactive';

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}
