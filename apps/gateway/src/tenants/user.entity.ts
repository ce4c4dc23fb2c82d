import { timestampType } from '@symbolon/platform';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A principal of an account (an IAM-style user). `isAdmin` marks a platform administrator (admin API access). */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ name: 'user_name', type: 'varchar', length: 64 })
  userName!: string;

  @Column({ type: 'varchar', length: 2048 })
  arn!: string;

  @Column({ name: 'is_admin', type: 'boolean' })
  isAdmin!: boolean;

  /** The default identity policy was attached (or the user was made without one): nothing left to seed. */
  @Column({ name: 'identity_seeded', type: 'boolean', default: false })
  identitySeeded!: boolean;

  /** IAM-style tags as a JSON object, or null when the user has none. */
  @Column({ type: 'text', nullable: true })
  tags?: string | null;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}
