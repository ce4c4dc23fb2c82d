import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { postgresBinDir, startPostgres } from './postgres.js';

describe('postgresBinDir', () => {
  it('should find a folder with initdb and pg_ctl when PostgreSQL is installed', () => {
    const dir = postgresBinDir();
    expect(existsSync(join(dir, 'initdb'))).toBe(true);
    expect(existsSync(join(dir, 'pg_ctl'))).toBe(true);
  });
});

describe('startPostgres', () => {
  it('the postgres dir has no quote or newline', async () => {
    await expect(startPostgres({ dir: "/tmp/it's" })).rejects.toThrow(
      'the postgres dir has no quote or newline',
    );
  });

  it('the postgres port is an integer from 1 to 65535', async () => {
    await expect(startPostgres({ dir: '/tmp/x', port: 0 })).rejects.toThrow(
      'the postgres port is an integer from 1 to 65535',
    );
  });

  it('the unix socket path fits in sun_path (107 bytes): choose a shorter dir', async () => {
    await expect(startPostgres({ dir: `/tmp/${'d'.repeat(120)}`, port: 5999 })).rejects.toThrow(
      'the unix socket path fits in sun_path',
    );
  });
});
