import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One tag of one key; a key has each tag key at most once. */
@Entity({ name: 'key_tags' })
export class KeyTagEntity {
  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 36 })
  keyId!: string;

  @PrimaryColumn({ name: 'tag_key', type: 'varchar', length: 128 })
  tagKey!: string;

  @Column({ name: 'tag_value', type: 'varchar', length: 256 })
  tagValue!: string;
}
