import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';

import { serializeSqliteConnection } from './sqlite-serial.js';

export type DbType = 'sqlite' | 'postgres';

export interface DatabaseSettings {
  type: DbType;
  /** SQLite file. */
  path?: string;
  /** PostgreSQL connection URL. */
  url?: string;
  /** One schema per service on PostgreSQL; on SQLite each service has its own file. */
  schema: string;
  migrate: boolean;
}

/** The column type for instants: timestamptz on PostgreSQL, datetime on SQLite. */
export function timestampType(): 'timestamptz' | 'datetime' {
  return (process.env['SYMBOLON_DB_TYPE'] ?? 'sqlite') === 'postgres' ? 'timestamptz' : 'datetime';
}

/** bigint comes back as a string on PostgreSQL and a number on SQLite: always hand out numbers. */
export const bigintToNumber = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

/** Opens the service's database, creates its schema, and runs its migrations (never synchronize). */
export async function openDataSource(
  settings: DatabaseSettings,
  entities: MixedList<Function>,
  migrations: MixedList<Function>,
): Promise<DataSource> {
  let options: DataSourceOptions;
  if (settings.type === 'postgres') {
    if (!settings.url) throw new Error('SYMBOLON_DB_URL is required when SYMBOLON_DB_TYPE=postgres');
    options = {
      type: 'postgres',
      url: settings.url,
      schema: settings.schema,
      entities,
      migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      extra: { max: 10 },
    };
  } else {
    if (!settings.path) throw new Error('SYMBOLON_DB_PATH is required when SYMBOLON_DB_TYPE=sqlite');
    mkdirSync(dirname(settings.path), { recursive: true });
    options = {
      type: 'better-sqlite3',
      database: settings.path,
      entities,
      migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  const ds = new DataSource(options);
  await ds.initialize();
  if (settings.type === 'postgres') {
    await ds.query(`CREATE SCHEMA IF NOT EXISTS "${settings.schema.replace(/"/g, '')}"`);
  }
  if (settings.migrate) await ds.runMigrations({ transaction: 'each' });
  if (settings.type === 'sqlite') serializeSqliteConnection(ds);
  return ds;
}
