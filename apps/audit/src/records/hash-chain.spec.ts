import { GENESIS_HASH, type ChainLink, chainHash, verifyChain } from './hash-chain.js';

function chain(records: string[]): ChainLink[] {
  let prev = GENESIS_HASH;
  return records.map((record, i) => {
    const hash = chainHash(prev, i + 1, record);
    const link = { sequence: i + 1, record, prevHash: prev, hash };
    prev = hash;
    return link;
  });
}

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
});
