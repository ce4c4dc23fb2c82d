/** A real gateway database on SQLite in memory and a reversible secret wrapper, for unit specs only. */
import { openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { Initial1764374400002 } from '../migrations/1764374400002-initial.js';
import { TenancyUsers1764460800010 } from '../migrations/1764460800010-tenancy-users.js';
import { IdentitySeeded1796000000100 } from '../migrations/1796000000100-identity-seeded.js';
import { UserTags1796000000200 } from '../migrations/1796000000200-user-tags.js';
import { AccessKeyEntity, AccountEntity } from './account.entity.js';
import type { SecretWrapper } from './secret-wrapper.js';
import { UserEntity } from './user.entity.js';

export async function gatewayDatabase(path = ':memory:'): Promise<DataSource> {
  return openDataSource(
    { type: 'sqlite', path, schema: 'gateway', migrate: true },
    [AccountEntity, AccessKeyEntity, UserEntity],
    [Initial1764374400002, TenancyUsers1764460800010, IdentitySeeded1796000000100, UserTags1796000000200],
  );
}

/** Wraps by reversing and tagging with the access key id, so a blob unwraps only for its own key. */
export class ReversingWrapper implements SecretWrapper {
  wraps = 0;
  unwraps = 0;

  async wrap(secret: string, accessKeyId: string): Promise<string> {
    this.wraps += 1;
    return `wrapped:${accessKeyId}:${[...secret].reverse().join('')}`;
  }

  async unwrap(wrapped: string, accessKeyId: string): Promise<string> {
    this.unwraps += 1;
    const prefix = `wrapped:${accessKeyId}:`;
    if (!wrapped.startsWith(prefix)) throw new Error('bound to another key');
    return [...wrapped.slice(prefix.length)].reverse().join('');
  }
}
