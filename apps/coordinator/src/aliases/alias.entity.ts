import { timestampType } from '@symbolon/platform';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One alias of one account. The primary key (tenant_id, alias_name) is the uniqueness rule: of concurrent
 * CreateAlias calls for one name exactly one insert succeeds.
 */
@Entity({ name: 'aliases' })
@Index('idx_aliases_target_key_id', ['targetKeyId'])
export class AliasEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 12 })
  tenantId!: string;

  @PrimaryColumn({ name: 'alias_name', type: 'varchar', length: 256 })
  aliasName!: string;

  @Column({ name: 'target_key_id', type: 'varchar', length: 36 })
  targetKeyId!: string;

  @Column({ name: 'created_at', type: timestampType() })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: timestampType() })
  updatedAt!: Date;
}
