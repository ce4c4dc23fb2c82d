import { domainPlans } from './domain-plan.js';

/** The config as the coordinator reads it, SYMBOLON_DOMAINS the given list (JSON) or text. */
function config(domains: unknown, nodes = 'hsm-1', tokenLabels = 'symbolon-hsm-1') {
  return {
    SYMBOLON_DOMAINS: typeof domains === 'string' ? domains : JSON.stringify(domains),
    SYMBOLON_HSM_NODES: nodes,
    SYMBOLON_HSM_TOKEN_LABELS: tokenLabels,
  };
}

const entry = (i: number) => ({ name: `d${i}`, node: `hsm-${i}` });

describe('domainPlans', () => {
  describe('without SYMBOLON_DOMAINS', () => {
    it('should plan one default domain from SYMBOLON_HSM_NODES and the first token label when the list is empty', () => {
      expect(domainPlans(config('', ' hsm-7 ', 'label-7, label-8'))).toEqual([
        { name: 'default', node: 'hsm-7', tokenLabel: 'label-7', labels: {} },
      ]);
    });

    it('should take the node as the token label when SYMBOLON_HSM_TOKEN_LABELS is empty', () => {
      expect(domainPlans(config('  ', 'hsm-7', ''))).toEqual([
        { name: 'default', node: 'hsm-7', tokenLabel: 'hsm-7', labels: {} },
      ]);
    });

    it.each([
      ['no node', '', 0],
      ['no node but commas', ' , ', 0],
      ['two nodes', 'hsm-1,hsm-2', 2],
    ])('should refuse naming SYMBOLON_HSM_NODES when it has %s', (_, nodes, n) => {
      expect(() => domainPlans(config('', nodes))).toThrow(
        `a development domain starts with exactly one hsm node, not ${n}: set SYMBOLON_HSM_NODES`,
      );
    });
  });

  describe('with SYMBOLON_DOMAINS', () => {
    it('should plan each entry in order, the token label the node and the labels empty when not given', () => {
      const plans = domainPlans(
        config([
          { name: 'default', node: 'hsm-1' },
          {
            name: 'eu.frankfurt_1',
            node: 'hsm-eu-1',
            tokenLabel: 'eu-token',
            labels: { region: 'eu-central', 'symbolon.io/jurisdiction': 'DE' },
          },
        ]),
      );
      expect(plans).toEqual([
        { name: 'default', node: 'hsm-1', tokenLabel: 'hsm-1', labels: {} },
        {
          name: 'eu.frankfurt_1',
          node: 'hsm-eu-1',
          tokenLabel: 'eu-token',
          labels: { region: 'eu-central', 'symbolon.io/jurisdiction': 'DE' },
        },
      ]);
    });

    it('should ignore SYMBOLON_HSM_NODES when SYMBOLON_DOMAINS is given', () => {
      expect(domainPlans(config([entry(1)], 'hsm-a,hsm-b'))).toEqual([
        { name: 'd1', node: 'hsm-1', tokenLabel: 'hsm-1', labels: {} },
      ]);
    });

    it('should plan 64 domains and 16 labels of 128 characters when given at the limits', () => {
      const labels = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'.repeat(128)]));
      const entries = Array.from({ length: 64 }, (_, i) => entry(i));
      entries[0] = { ...entries[0]!, labels, tokenLabel: 't'.repeat(32) } as (typeof entries)[0];
      const plans = domainPlans(config(entries));
      expect(plans).toHaveLength(64);
      expect(plans[0]).toEqual({ name: 'd0', node: 'hsm-0', tokenLabel: 't'.repeat(32), labels });
    });

    it.each<[string, unknown, string]>([
      ['is not JSON', '[{"name": "d1",', 'SYMBOLON_DOMAINS is not JSON'],
      ['is not a list', { name: 'd1', node: 'hsm-1' }, 'SYMBOLON_DOMAINS must be a list of 1 to 64 domains'],
      ['is an empty list', [], 'SYMBOLON_DOMAINS must be a list of 1 to 64 domains'],
      [
        'has 65 entries',
        Array.from({ length: 65 }, (_, i) => entry(i)),
        'SYMBOLON_DOMAINS must be a list of 1 to 64 domains',
      ],
      ['has an entry that is not an object', [entry(1), 'hsm-2'], 'SYMBOLON_DOMAINS[1] is not an object'],
      ['has an entry that is a list', [['d1', 'hsm-1']], 'SYMBOLON_DOMAINS[0] is not an object'],
      ['has an entry that is null', [null], 'SYMBOLON_DOMAINS[0] is not an object'],
      ['has an entry without a name', [{ node: 'hsm-1' }], 'SYMBOLON_DOMAINS[0].name must match'],
      [
        'has a name with a space',
        [{ name: 'eu west', node: 'hsm-1' }],
        'SYMBOLON_DOMAINS[0].name must match',
      ],
      [
        'has a name of 65 characters',
        [{ name: 'n'.repeat(65), node: 'hsm-1' }],
        'SYMBOLON_DOMAINS[0].name must match',
      ],
      [
        'has a name starting with a dot',
        [{ name: '.d', node: 'hsm-1' }],
        'SYMBOLON_DOMAINS[0].name must match',
      ],
      [
        'has a node with capitals',
        [entry(1), { name: 'd2', node: 'HSM-2' }],
        'SYMBOLON_DOMAINS[1].node must match',
      ],
      ['has a node that is a number', [{ name: 'd1', node: 1 }], 'SYMBOLON_DOMAINS[0].node must match'],
      [
        'has a node of 64 characters',
        [{ name: 'd1', node: 'h'.repeat(64) }],
        'SYMBOLON_DOMAINS[0].node must match',
      ],
      [
        'has a tokenLabel of 33 characters',
        [{ ...entry(1), tokenLabel: 't'.repeat(33) }],
        'SYMBOLON_DOMAINS[0].tokenLabel must be 1 to 32 characters',
      ],
      [
        'has an empty tokenLabel',
        [{ ...entry(1), tokenLabel: '' }],
        'SYMBOLON_DOMAINS[0].tokenLabel must be 1 to 32 characters',
      ],
      [
        'has labels that are not an object',
        [{ ...entry(1), labels: ['eu'] }],
        'SYMBOLON_DOMAINS[0].labels must be an object of at most 16 labels',
      ],
      [
        'has labels that are a string',
        [{ ...entry(1), labels: 'region=eu' }],
        'SYMBOLON_DOMAINS[0].labels must be an object of at most 16 labels',
      ],
      [
        'has a label value that is not a string',
        [{ ...entry(1), labels: { region: 'eu', tier: 1 } }],
        'SYMBOLON_DOMAINS[0].labels.tier must be a string of at most 128 characters',
      ],
      [
        'has a label value of 129 characters',
        [{ ...entry(1), labels: { region: 'r'.repeat(129) } }],
        'SYMBOLON_DOMAINS[0].labels.region must be a string of at most 128 characters',
      ],
      [
        'has a label key with a space',
        [{ ...entry(1), labels: { 'data region': 'eu' } }],
        'SYMBOLON_DOMAINS[0].labels.data region must be a string of at most 128 characters',
      ],
      [
        'has more than 16 labels',
        [{ ...entry(1), labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }],
        'SYMBOLON_DOMAINS[0].labels must be an object of at most 16 labels',
      ],
      [
        'names a domain twice',
        [entry(1), { name: 'd1', node: 'hsm-2' }],
        'SYMBOLON_DOMAINS names name d1 twice',
      ],
      [
        'names a node twice',
        [entry(1), { name: 'd2', node: 'hsm-1' }],
        'SYMBOLON_DOMAINS names node hsm-1 twice',
      ],
    ])('should refuse with an error naming the problem when SYMBOLON_DOMAINS %s', (_, domains, message) => {
      expect(() => domainPlans(config(domains))).toThrow(message);
    });
  });
});
