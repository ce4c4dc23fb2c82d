import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

/**
 * SQLite through TypeORM's better-sqlite3 driver runs every query on ONE connection. Two requests that each open a
 * transaction interleave their BEGIN and COMMIT on it ("cannot start a transaction within a transaction"), and a plain
 * write of a third request that runs while a transaction is open joins it and is lost if that transaction rolls back.
 *
 * This makes the connection exclusive: a transaction holds it from BEGIN to COMMIT / ROLLBACK, and a statement outside
 * any transaction waits until no transaction holds it. Statements of the transaction itself (its async context) go
 * straight through, as do nested transactions (savepoints). PostgreSQL has a pool and real isolation: untouched.
 */
export function serializeSqliteConnection(ds: DataSource): void {
  const inTransaction = new AsyncLocalStorage<true>();
  let tail: Promise<void> = Promise.resolve();
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((r) => (release = r));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  };

  const runner = ds.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((...args: unknown[]) =>
    inTransaction.getStore() ? query(...args) : exclusive(() => query(...args))) as typeof runner.query;

  // A transaction opened any other way (repository.save() opens one implicitly) would escape the exclusion: refuse it
  // loudly instead of corrupting a neighbour's transaction. Use DataSource.transaction, or insert / update / upsert.
  const startTransaction = runner.startTransaction.bind(runner);
  runner.startTransaction = ((...args: Parameters<typeof runner.startTransaction>) => {
    if (!inTransaction.getStore()) {
      return Promise.reject(
        new Error(
          'SQLite: open transactions with DataSource.transaction only (repository.save() opens its own)',
        ),
      );
    }
    return startTransaction(...args);
  }) as typeof runner.startTransaction;

  const manager = ds.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) =>
    inTransaction.getStore()
      ? transaction(...args)
      : exclusive(() => inTransaction.run(true, () => transaction(...args)))) as typeof manager.transaction;
}
