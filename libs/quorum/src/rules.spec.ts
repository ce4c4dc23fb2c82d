import {
  ChangeKinds,
  type QuorumRules,
  checkRules,
  describeRule,
  ruleSatisfied,
  thresholdRule,
  uniformRules,
} from './rules.js';

const OPS = [{ id: 'A' }, { id: 'B' }, { id: 'C' }, { id: 'D' }];
const A_AND_D_OR_2_OF_ABC = {
  alternatives: [
    { operators: ['A', 'D'], threshold: 2 },
    { operators: ['A', 'B', 'C'], threshold: 2 },
  ],
};

describe('ruleSatisfied', () => {
  it('should accept when a sufficient set has signed', () => {
    expect(ruleSatisfied(thresholdRule(['A', 'B', 'C'], 2), ['C', 'A'])).toBe(true);
  });

  it('should refuse when fewer than the threshold have signed', () => {
    expect(ruleSatisfied(thresholdRule(['A', 'B', 'C'], 2), ['B'])).toBe(false);
  });

  it('should count an operator once when it appears twice among the signers', () => {
    expect(ruleSatisfied(thresholdRule(['A', 'B', 'C'], 2), ['A', 'A'])).toBe(false);
  });

  it('should refuse when the signers are not in the rule', () => {
    expect(ruleSatisfied(A_AND_D_OR_2_OF_ABC, ['D', 'X', 'Y'])).toBe(false);
  });

  it.each([
    [['A', 'D'], true],
    [['A', 'B'], true],
    [['B', 'C'], true],
    [['C', 'D'], false],
    [['B', 'D'], false],
    [['A'], false],
    [['D'], false],
    [[], false],
  ])('should give the A-and-D-or-2-of-ABC answer when %j sign', (signers, expected) => {
    expect(ruleSatisfied(A_AND_D_OR_2_OF_ABC, signers)).toBe(expected);
  });

  it('should refuse when an alternative has threshold 0 or no operators', () => {
    expect(ruleSatisfied({ alternatives: [{ operators: [], threshold: 0 }] }, ['A'])).toBe(false);
    expect(ruleSatisfied({ alternatives: [] }, ['A'])).toBe(false);
  });
});

describe('thresholdRule', () => {
  it('should make one alternative when given n ids and k', () => {
    expect(thresholdRule(['A', 'B', 'C'], 2)).toEqual({
      alternatives: [{ operators: ['A', 'B', 'C'], threshold: 2 }],
    });
  });

  it('threshold must be an integer in 1..number of operators', () => {
    expect(() => thresholdRule(['A'], 2)).toThrow('threshold must be an integer in 1..number of operators');
    expect(() => thresholdRule(['A'], 0)).toThrow('threshold must be an integer in 1..number of operators');
    expect(() => thresholdRule(['A', 'B'], 1.5)).toThrow(
      'threshold must be an integer in 1..number of operators',
    );
  });

  it('threshold rule operators must be distinct', () => {
    expect(() => thresholdRule(['A', 'A'], 1)).toThrow('threshold rule operators must be distinct');
  });
});

describe('checkRules', () => {
  const valid = (): QuorumRules => ({
    ...uniformRules(thresholdRule(['A', 'B', 'C'], 2)),
    'set-rules': A_AND_D_OR_2_OF_ABC,
  });

  it('should find no problem when every kind has a satisfiable rule', () => {
    expect(checkRules(valid(), OPS)).toEqual([]);
  });

  it.each<[string, (r: Record<string, unknown>) => void, string]>([
    ['a kind is missing', (r) => delete r['add-member'], 'add-member: no rule'],
    [
      'a kind is unknown',
      (r) => (r['change-rules'] = thresholdRule(['A'], 1)),
      'unknown change kind change-rules',
    ],
    [
      'a rule has no alternative',
      (r) => (r['set-rules'] = { alternatives: [] }),
      'set-rules: no alternative',
    ],
    [
      'an alternative is empty',
      (r) => (r['set-rules'] = { alternatives: [{ operators: [], threshold: 1 }] }),
      'set-rules: alternative 1 has no operators',
    ],
    [
      'an operator is unknown',
      (r) => (r['set-rules'] = { alternatives: [{ operators: ['A', 'E'], threshold: 2 }] }),
      'set-rules: alternative 1 names unknown operator E',
    ],
    [
      'an operator appears twice',
      (r) => (r['set-rules'] = { alternatives: [{ operators: ['A', 'A'], threshold: 1 }] }),
      'set-rules: alternative 1 names an operator twice',
    ],
    [
      'the threshold is above n',
      (r) => (r['set-rules'] = { alternatives: [{ operators: ['A', 'B'], threshold: 3 }] }),
      'set-rules: alternative 1 has threshold 3, not in 1..2',
    ],
    [
      'the threshold is 0',
      (r) => (r['set-rules'] = { alternatives: [{ operators: ['A', 'B'], threshold: 0 }] }),
      'set-rules: alternative 1 has threshold 0, not in 1..2',
    ],
  ])('should report a problem when %s', (_name, mutate, problem) => {
    const rules = valid() as unknown as Record<string, unknown>;
    mutate(rules);
    expect(checkRules(rules as QuorumRules, OPS)).toContain(problem);
  });

  it('should cover every change kind when built by uniformRules', () => {
    expect(Object.keys(uniformRules(thresholdRule(['A'], 1))).sort()).toEqual([...ChangeKinds].sort());
  });
});

describe('describeRule', () => {
  it('should list each alternative when given a rule with two', () => {
    expect(describeRule(A_AND_D_OR_2_OF_ABC)).toBe('2 of {A, D} or 2 of {A, B, C}');
  });
});
