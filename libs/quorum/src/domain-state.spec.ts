import { developmentDomain, ruleSatisfied, thresholdRule } from './domain-state.js';

describe('ruleSatisfied', () => {
  it('should accept when a sufficient set has signed', () => {
    expect(ruleSatisfied(thresholdRule(['a', 'b', 'c'], 2), ['c', 'a'])).toBe(true);
  });

  it('should refuse when fewer than the threshold have signed', () => {
    expect(ruleSatisfied(thresholdRule(['a', 'b', 'c'], 2), ['b'])).toBe(false);
  });

  it('should refuse when the signers are not in the rule', () => {
    expect(ruleSatisfied({ anyOf: [['a', 'd']] }, ['a', 'x', 'y'])).toBe(false);
  });

  it('should refuse when the rule has only an empty set', () => {
    expect(ruleSatisfied({ anyOf: [[]] }, ['a'])).toBe(false);
  });
});

describe('thresholdRule', () => {
  it('should list every k-subset when given n ids', () => {
    expect(thresholdRule(['a', 'b', 'c'], 2).anyOf).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('should throw when k is out of range', () => {
    expect(() => thresholdRule(['a'], 2)).toThrow('out of range');
  });
});

describe('developmentDomain', () => {
  it('should make a 1-of-1 domain at epoch 1 when created', () => {
    const d = developmentDomain('dom', [{ nodeId: 'hsm-1', tokenLabel: 't' }], {
      id: 'op-1',
      publicKey: 'pk',
    });
    expect(d.epoch).toBe(1);
    expect(d.generation).toBe(1);
    expect(ruleSatisfied(d.rules['rotate-domain-key'], ['op-1'])).toBe(true);
    expect(ruleSatisfied(d.rules['add-member'], [])).toBe(false);
  });
});
