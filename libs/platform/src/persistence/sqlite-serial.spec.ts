import type { DataSource } from 'typeorm';

import { openDataSource } from './data-source.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('serializeSqliteConnection (through openDataSource)', () => {
  let ds: DataSource;

  beforeEach(async () => {
    ds = await openDataSource({ type: 'sqlite', path: ':memory:', schema: 's', migrate: false }, [], []);
    await ds.query('CREATE TABLE t (id integer PRIMARY KEY, v text NOT NULL)');
  });

  afterEach(async () => {
    await ds.destroy();
  });

  it('should commit every concurrent transaction, roll back only the failed ones and keep every plain write when they interleave', async () => {
    const transactions = Array.from({ length: 20 }, (_, i) =>
      ds
        .transaction(async (m) => {
          await m.query('INSERT INTO t (v) VALUES (?)', [`tx${i}-a`]);
          await tick();
          if (i % 4 === 0) throw new Error(`refused ${i}`);
          await m.query('INSERT INTO t (v) VALUES (?)', [`tx${i}-b`]);
        })
        .then(
          () => 'committed',
          (e: Error) => e.message,
        ),
    );
    const plain = Array.from({ length: 20 }, async (_, i) => {
      await tick();
      await ds.query('INSERT INTO t (v) VALUES (?)', [`plain${i}`]);
      return 'written';
    });
    const outcomes = await Promise.all([...transactions, ...plain]);
    expect(outcomes.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? `refused ${i}` : 'committed')),
    );
    const rows = ((await ds.query('SELECT v FROM t')) as { v: string }[]).map((r) => r.v).sort();
    const expected = [
      ...Array.from({ length: 20 }, (_, i) => `plain${i}`),
      ...Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i % 4 !== 0)
        .flatMap((i) => [`tx${i}-a`, `tx${i}-b`]),
    ].sort();
    expect(rows).toEqual(expected);
  });

  it('should run a transaction nested in another as part of it when called from inside it', async () => {
    await ds.transaction(async (outer) => {
      await outer.query('INSERT INTO t (v) VALUES (?)', ['outer']);
      await ds.transaction(async (inner) => {
        await inner.query('INSERT INTO t (v) VALUES (?)', ['inner']);
      });
    });
    expect(((await ds.query('SELECT v FROM t ORDER BY id')) as { v: string }[]).map((r) => r.v)).toEqual([
      'outer',
      'inner',
    ]);
  });
});

describe('serializeSqliteConnection, transactions opened elsewhere', () => {
  it('should refuse a transaction opened outside DataSource.transaction when a repository would open its own', async () => {
    const ds = await openDataSource(
      { type: 'sqlite', path: ':memory:', schema: 's', migrate: false },
      [],
      [],
    );
    try {
      const runner = ds.createQueryRunner();
      await expect(runner.startTransaction()).rejects.toThrow(
        /open transactions with DataSource.transaction only/,
      );
    } finally {
      await ds.destroy();
    }
  });
});
