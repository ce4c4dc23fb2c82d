import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeSecretFile } from './secret-file.js';

describe('writeSecretFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-file-'));

  it('should create the file with mode 0600 when it does not exist', () => {
    const path = join(dir, 'nested', 'a.json');
    writeSecretFile(path, 's3cret');
    expect(readFileSync(path, 'utf8')).toBe('s3cret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('should end with mode 0600 when an existing file was world-readable', () => {
    const path = join(dir, 'b.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    writeSecretFile(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
