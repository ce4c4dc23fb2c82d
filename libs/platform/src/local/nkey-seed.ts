import { createUser, fromSeed } from '@nats-io/nkeys';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { writeSecretFile } from '../config/secret-file.js';

/**
 * A NATS user nkey kept in `file` (the seed, mode 0600): made on first use, read afterwards, so a service keeps its
 * identity across restarts. Returns the public key (for the server config) and the seed file (for the service).
 */
export function ensureUserNkey(file: string): { publicKey: string; seedFile: string } {
  if (existsSync(file)) {
    const pair = fromSeed(new TextEncoder().encode(readFileSync(file, 'utf8').trim()));
    return { publicKey: pair.getPublicKey(), seedFile: file };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const pair = createUser();
  writeSecretFile(file, new TextDecoder().decode(pair.getSeed()));
  return { publicKey: pair.getPublicKey(), seedFile: file };
}
