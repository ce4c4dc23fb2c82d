import { developmentDomain, upgradeDomainState } from './domain-state.js';
import { ChangeKinds, checkRules, ruleSatisfied } from './rules.js';

describe('developmentDomain', () => {
  const d = developmentDomain('dom', [{ nodeId: 'hsm-1', tokenLabel: 't' }], { id: 'op-1', publicKey: 'pk' });

  it('should make a 1-of-1 domain at epoch 1 when created', () => {
    expect(d.epoch).toBe(1);
    for (const kind of ChangeKinds) {
      expect(ruleSatisfied(d.rules[kind], ['op-1'])).toBe(true);
      expect(ruleSatisfied(d.rules[kind], [])).toBe(false);
    }
  });

  it('should make generation 1 the active one when created', () => {
    expect(d.generation).toBe(1);
    expect(d.generations).toEqual([{ generation: 1, state: 'active' }]);
  });

  it('should keep the members and the operator when given them', () => {
    expect(d.members).toEqual([{ nodeId: 'hsm-1', tokenLabel: 't' }]);
    expect(d.operators).toEqual([{ id: 'op-1', publicKey: 'pk' }]);
  });
});

describe('upgradeDomainState', () => {
  it('should turn anyOf sets into all-of alternatives, rename the old kinds and make the generation active', () => {
    const legacy = {
      domainId: 'domain-1',
      epoch: 1,
      generation: 1,
      members: [{ nodeId: 'hsm-1', tokenLabel: 'symbolon-hsm-1' }],
      operators: [{ id: 'operator-1', publicKey: 'AAAA' }],
      rules: Object.fromEntries(
        ['add-member', 'remove-member', 'rotate-domain-key', 'change-operators', 'change-rules'].map((k) => [
          k,
          { anyOf: [['operator-1']] },
        ]),
      ),
    };
    const up = upgradeDomainState(legacy);
    expect(up.generations).toEqual([{ generation: 1, state: 'active' }]);
    expect(Object.keys(up.rules).sort()).toEqual([...ChangeKinds].sort());
    expect(up.rules['set-rules']).toEqual({ alternatives: [{ operators: ['operator-1'], threshold: 1 }] });
    expect(checkRules(up.rules, up.operators)).toEqual([]);
  });

  it('should leave a current state as it is', () => {
    const state = developmentDomain('d', [{ nodeId: 'hsm-1', tokenLabel: 't' }], {
      id: 'o',
      publicKey: 'AAAA',
    });
    expect(upgradeDomainState(state)).toEqual(state);
  });
});
