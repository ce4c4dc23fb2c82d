import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** hash_n = SHA-256(hash_{n-1} | sequence | record JSON): changing, dropping or reordering a record breaks the chain. */
export function chainHash(prevHash: string, sequence: number, record: string): string {
  return createHash('sha256')
    .update(prevHash)
    .update('|')
    .update(String(sequence))
    .update('|')
    .update(record)
    .digest('hex');
}

export interface ChainLink {
  sequence: number;
  record: string;
  prevHash: string;
  hash: string;
}

/** Checks a run of records from the start of the log; returns the first broken sequence, or undefined. */
export function verifyChain(links: readonly ChainLink[]): number | undefined {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const l of links) {
    if (l.sequence !== expected || l.prevHash !== prev || chainHash(prev, l.sequence, l.record) !== l.hash) {
      return l.sequence;
    }
    prev = l.hash;
    expected++;
  }
  return undefined;
}
