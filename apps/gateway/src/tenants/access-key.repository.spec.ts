import { afterEach, jest } from '@jest/globals';
import type { DataSource } from 'typeorm';

import { AccessKeyRepository } from './access-key.repository.js';
import { AccessKeyEntity } from './account.entity.js';
import { UserEntity } from './user.entity.js';

const TTL_MS = 30_000;

/** A DataSource that answers findOne on access_keys from a list of rows (counting those queries), and no users. */
class FakeAccessKeyTable {
  readonly rows = new Map<string, AccessKeyEntity>();
  queries = 0;

  add(accessKeyId: string, status: 'Active' | 'Inactive' = 'Active'): void {
    this.rows.set(
      accessKeyId,
      Object.assign(new AccessKeyEntity(), {
        accessKeyId,
        accountId: '111122223333',
        principalArn: 'arn:aws:iam::111122223333:user/admin',
        secret: `secret-of-${accessKeyId}`,
        status,
        createdAt: new Date(0),
      }),
    );
  }

  dataSource(): DataSource {
    const findOne = async (opts: {
      where: { accessKeyId: string; status: string };
    }): Promise<AccessKeyEntity | null> => {
      this.queries += 1;
      const row = this.rows.get(opts.where.accessKeyId);
      return row && row.status === opts.where.status ? row : null;
    };
    return {
      getRepository: (entity: unknown) => {
        // The caller's user row is read for its tags: these users have none.
        if (entity === UserEntity) return { findOne: async () => null };
        if (entity !== AccessKeyEntity) throw new Error('FakeAccessKeyTable: only access_keys and users');
        return { findOne };
      },
    } as unknown as DataSource;
  }
}

describe('AccessKeyRepository', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('should answer the caller from the database and then from the cache when the key is active', async () => {
    const table = new FakeAccessKeyTable();
    table.add('AKIDLEGIT');
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    const first = await repo.findActive('AKIDLEGIT');
    expect(first).toEqual({
      accessKeyId: 'AKIDLEGIT',
      accountId: '111122223333',
      principalArn: 'arn:aws:iam::111122223333:user/admin',
      secret: 'secret-of-AKIDLEGIT',
    });
    expect(await repo.findActive('AKIDLEGIT')).toEqual(first);
    expect(table.queries).toBe(1);
  });

  it('should not find the key when it is inactive', async () => {
    const table = new FakeAccessKeyTable();
    table.add('AKIDOLD', 'Inactive');
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    expect(await repo.findActive('AKIDOLD')).toBeUndefined();
  });

  it('should keep a legitimate key cached when 20000 unknown access key ids are looked up', async () => {
    const table = new FakeAccessKeyTable();
    table.add('AKIDLEGIT');
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    await repo.findActive('AKIDLEGIT');
    for (let i = 0; i < 20_000; i++) await repo.findActive(`AKIDRANDOM${i}`);
    const before = table.queries;
    expect(await repo.findActive('AKIDLEGIT')).toMatchObject({ accessKeyId: 'AKIDLEGIT' });
    expect(table.queries).toBe(before);
  });

  it('should answer a recent miss from the cache and query again for an evicted miss when misses overflow', async () => {
    const table = new FakeAccessKeyTable();
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS, { hits: 10, misses: 3 });
    for (const id of ['AKIDM0', 'AKIDM1', 'AKIDM2', 'AKIDM3']) await repo.findActive(id);
    expect(table.queries).toBe(4);
    await repo.findActive('AKIDM3');
    await repo.findActive('AKIDM1');
    expect(table.queries).toBe(4);
    await repo.findActive('AKIDM0');
    expect(table.queries).toBe(5);
  });

  it('should evict only the oldest hit when the hit cache is full', async () => {
    const table = new FakeAccessKeyTable();
    for (const id of ['AKIDH0', 'AKIDH1', 'AKIDH2']) table.add(id);
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS, { hits: 2, misses: 2 });
    for (const id of ['AKIDH0', 'AKIDH1', 'AKIDH2']) await repo.findActive(id);
    expect(table.queries).toBe(3);
    await repo.findActive('AKIDH1');
    await repo.findActive('AKIDH2');
    expect(table.queries).toBe(3);
    await repo.findActive('AKIDH0');
    expect(table.queries).toBe(4);
  });

  it('should find a key created after a cached miss when the TTL has passed', async () => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    const table = new FakeAccessKeyTable();
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    expect(await repo.findActive('AKIDNEW')).toBeUndefined();
    table.add('AKIDNEW');
    expect(await repo.findActive('AKIDNEW')).toBeUndefined();
    jest.setSystemTime(Date.now() + TTL_MS + 1);
    expect(await repo.findActive('AKIDNEW')).toMatchObject({ accessKeyId: 'AKIDNEW' });
  });

  it('should stop finding a deactivated key when the TTL has passed', async () => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    const table = new FakeAccessKeyTable();
    table.add('AKIDGONE');
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    expect(await repo.findActive('AKIDGONE')).toBeDefined();
    table.add('AKIDGONE', 'Inactive');
    jest.setSystemTime(Date.now() + TTL_MS + 1);
    expect(await repo.findActive('AKIDGONE')).toBeUndefined();
  });

  it('access key cache limits must be positive integers', () => {
    const ds = new FakeAccessKeyTable().dataSource();
    for (const limits of [
      { hits: 0, misses: 10 },
      { hits: 10, misses: -1 },
      { hits: 1.5, misses: 10 },
    ]) {
      expect(() => new AccessKeyRepository(ds, TTL_MS, limits)).toThrow(
        'access key cache limits must be positive integers',
      );
    }
  });

  it('a wrapped secret needs a secret wrapper', async () => {
    const table = new FakeAccessKeyTable();
    table.add('AKIDWRAPPED');
    table.rows.get('AKIDWRAPPED')!.secretWrapped = true;
    const repo = new AccessKeyRepository(table.dataSource(), TTL_MS);
    await expect(repo.findActive('AKIDWRAPPED')).rejects.toThrow('a wrapped secret needs a secret wrapper');
  });
});
