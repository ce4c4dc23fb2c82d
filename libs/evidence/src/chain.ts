import { createHash } from 'node:crypto';

/** The prevHash of record 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash_n = SHA-256(hash_{n-1} | sequence | record JSON), lowercase hex: changing, dropping or reordering a record
 * breaks the chain. One update over the joined text (the same bytes as updating part by part, and faster).
 */
export function chainHash(prevHash: string, sequence: number, record: string): string {
  return createHash('sha256')
    .update(prevHash + '|' + String(sequence) + '|' + record)
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
