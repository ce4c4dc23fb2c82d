import { timestampType } from '@symbolon/platform';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The domain state document at each epoch (append-only: a change adds a row with the next epoch). */
@Entity({ name: 'domain_states' })
export class DomainStateEntity {
  @PrimaryColumn({ name: 'domain_id', type: 'varchar', length: 64 })
  domainId!: string;

  @PrimaryColumn({ type: 'integer' })
  epoch!: number;

  /** JSON of libs/quorum DomainState. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}

/** The domain's open proposal and the ones before it (one open at a time per domain), for `symbolon domain status`. */
@Entity({ name: 'domain_proposals' })
export class DomainProposalEntity {
  /** The proposal's nonce (base64 of 16 random bytes). */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  nonce!: string;

  @Column({ name: 'domain_id', type: 'varchar', length: 64 })
  domainId!: string;

  /** JSON of libs/quorum DomainProposal, as the operators signed it. */
  @Column({ type: 'text' })
  proposal!: string;

  @Column({ name: 'opened_at', type: timestampType() })
  openedAt!: Date;

  @Column({ name: 'expires_at', type: timestampType() })
  expiresAt!: Date;

  /** null while open; then 'applied', 'cancelled' or the refusal code. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  outcome!: string | null;

  /** JSON of the operators' signatures, kept for an applied add-member (the joining node checks them). */
  @Column({ type: 'text', nullable: true })
  signatures?: string | null;
}

/** A domain keys can be placed in (a custom key store to AWS clients): its name and region / jurisdiction labels. */
@Entity({ name: 'domains' })
export class DomainEntity {
  @PrimaryColumn({ name: 'domain_id', type: 'varchar', length: 64 })
  domainId!: string;

  @Column({ type: 'varchar', length: 256, unique: true })
  name!: string;

  /** JSON object of string labels (region, jurisdiction, ...). */
  @Column({ type: 'text' })
  labels!: string;

  /** Keys created without a CustomKeyStoreId are placed here; the first domain made is the default. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;
}
