import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';

import { type ChainLink, GENESIS_HASH, chainHash, verifyChain } from './chain.js';

/** sha256 of "000…000|1|{}" (64 zeros), computed independently with sha256sum. */
const KNOWN_ANSWER = '02747cfb52821d2e646e5900ee03b5c225462babdb208c4d8446bf0de17977d8';

function chain(records: string[]): ChainLink[] {
  let prev = GENESIS_HASH;
  return records.map((record, i) => {
    const hash = chainHash(prev, i + 1, record);
    const link = { sequence: i + 1, record, prevHash: prev, hash };
    prev = hash;
    return link;
  });
}

describe('chainHash', () => {
  it('should be SHA-256 of prevHash|sequence|record when given any record', () => {
    const record = '{"operation":"Encrypt","note":"\u00e9\ud83d\ude00"}';
    const expected = createHash('sha256').update(`${GENESIS_HASH}|42|${record}`, 'utf8').digest('hex');
    expect(chainHash(GENESIS_HASH, 42, record)).toBe(expected);
  });

  it('should match a known answer when given the genesis hash, sequence 1 and "{}"', () => {
    expect(chainHash(GENESIS_HASH, 1, '{}')).toBe(KNOWN_ANSWER);
  });
});

describe('verifyChain', () => {
  it('should accept when the chain is intact', () => {
    expect(verifyChain(chain(['a', 'b', 'c']))).toBeUndefined();
  });

  it('should name the record when one was altered', () => {
    const links = chain(['a', 'b', 'c']);
    links[1] = { ...links[1]!, record: 'B' };
    expect(verifyChain(links)).toBe(2);
  });

  it('should name the gap when a record was dropped', () => {
    const links = chain(['a', 'b', 'c']);
    expect(verifyChain([links[0]!, links[2]!])).toBe(3);
  });

  it('should refuse when records are reordered', () => {
    const links = chain(['a', 'b']);
    expect(verifyChain([links[1]!, links[0]!])).toBe(2);
  });

  it('should name the record when its prevHash was changed', () => {
    const links = chain(['a', 'b', 'c']);
    links[2] = { ...links[2]!, prevHash: links[0]!.hash };
    expect(verifyChain(links)).toBe(3);
  });
});
