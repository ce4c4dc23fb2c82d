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
