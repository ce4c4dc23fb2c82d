import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { databaseEnv, loadConfig } from './config.js';

describe('loadConfig with NAME_FILE', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should read a setting from the file NAME_FILE names when NAME itself is not set', () => {
    const file = join(dir, 'db-url');
    writeFileSync(file, 'postgres://u:secret@db/symbolon\n');
    const config = loadConfig(databaseEnv, { SYMBOLON_DB_TYPE: 'postgres', SYMBOLON_DB_URL_FILE: file });
    expect(config.SYMBOLON_DB_URL).toBe('postgres://u:secret@db/symbolon');
  });

  it('should prefer NAME over NAME_FILE when both are set', () => {
    const file = join(dir, 'db-url');
    writeFileSync(file, 'postgres://from-file');
    const config = loadConfig(databaseEnv, {
      SYMBOLON_DB_URL: 'postgres://from-env',
      SYMBOLON_DB_URL_FILE: file,
    });
    expect(config.SYMBOLON_DB_URL).toBe('postgres://from-env');
  });

  it('should name the setting and not its content when the file cannot be read', () => {
    expect(() => loadConfig(databaseEnv, { SYMBOLON_DB_URL_FILE: join(dir, 'missing') })).toThrow(
      'invalid configuration: SYMBOLON_DB_URL_FILE (ENOENT)',
    );
  });
});
