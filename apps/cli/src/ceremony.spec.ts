import { publicKeyFingerprint } from '@symbolon/evidence';
import { type DomainProposal, newProposal, thresholdRule, uniformRules } from '@symbolon/quorum';

import { ceremony, describeChange, fingerprint, proposalProblem, quorumProgress } from './ceremony.js';
import { identityKey, testOperator, testState } from './domain.test-helper.js';

const HOUR = 60 * 60 * 1000;
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(testOperator) as [
  ReturnType<typeof testOperator>,
  ReturnType<typeof testOperator>,
  ReturnType<typeof testOperator>,
];

describe('describeChange', () => {
  it('should name the node, token, identity key fingerprint and labels when the change adds a member', () => {
    const key = identityKey();
    expect(
      describeChange({
        kind: 'add-member',
        member: {
          nodeId: 'hsm-2',
          tokenLabel: 'symbolon-hsm-2',
          identityPublicKey: key,
          labels: { region: 'eu-west', jurisdiction: 'DE' },
        },
      }),
    ).toBe(
      `add member hsm-2 (token symbolon-hsm-2, identity key ${publicKeyFingerprint(key)}, ` +
        'labels region=eu-west, jurisdiction=DE)',
    );
    expect(describeChange({ kind: 'add-member', member: { nodeId: 'hsm-3', tokenLabel: 't3' } })).toBe(
      'add member hsm-3 (token t3, no identity key)',
    );
  });

  it('should say which node goes, which generation becomes active or is destroyed when the change says so', () => {
    expect(describeChange({ kind: 'remove-member', nodeId: 'hsm-2' })).toBe('remove member hsm-2');
    expect(describeChange({ kind: 'rotate-domain-key', generation: 3 })).toBe(
      'rotate the domain key: generation 3 becomes active, the active one retiring',
    );
    expect(describeChange({ kind: 'destroy-generation', generation: 1 })).toBe(
      'destroy domain-key generation 1 in every token (what is wrapped only under it is lost for good)',
    );
  });

  it('should list every operator with its key fingerprint when the change sets the operators', () => {
    expect(
      describeChange({
        kind: 'set-operators',
        operators: [alice, bob].map(({ id, publicKey }) => ({ id, publicKey })),
      }),
    ).toBe(
      `set operators: alice (${publicKeyFingerprint(alice.publicKey)}), bob (${publicKeyFingerprint(bob.publicKey)})`,
    );
  });

  it('should give each kind its rule in words when the change sets the rules', () => {
    const rules = uniformRules(thresholdRule(['alice', 'bob', 'carol'], 2));
    rules['set-rules'] = {
      alternatives: [
        { operators: ['alice', 'carol'], threshold: 2 },
        { operators: ['alice', 'bob', 'carol'], threshold: 3 },
      ],
    };
    expect(describeChange({ kind: 'set-rules', rules })).toBe(
      'set rules: add-member 2 of {alice, bob, carol}; remove-member 2 of {alice, bob, carol}; ' +
        'rotate-domain-key 2 of {alice, bob, carol}; destroy-generation 2 of {alice, bob, carol}; ' +
        'set-operators 2 of {alice, bob, carol}; set-rules 2 of {alice, carol} or 3 of {alice, bob, carol}',
    );
  });
});

describe('fingerprint', () => {
  it('should say so instead of throwing when the key is not base64', () => {
    expect(fingerprint('not base64!')).toBe('(not a base64 key)');
    expect(fingerprint(alice.publicKey)).toBe(publicKeyFingerprint(alice.publicKey));
  });
});

describe('ceremony', () => {
  const state = testState([alice, bob, carol]);
  const now = new Date('2030-01-01T00:00:00.000Z');
  const proposal = newProposal(state, { kind: 'remove-member', nodeId: 'hsm-1' }, { ttlMs: 24 * HOUR, now });

  it('should give domain, epoch, change, expiry, nonce and the rule when the rule is known', () => {
    expect(ceremony(proposal, { now, rule: state.rules['remove-member'] })).toEqual([
      'domain d1',
      'applies to epoch 3 (the domain is at epoch 4 after it)',
      'change: remove member hsm-1',
      'expires 2030-01-02T00:00:00.000Z (in 24 h 0 min)',
      `nonce ${proposal.nonce}`,
      'decided by the remove-member rule: 2 of {alice, bob, carol}',
    ]);
  });

  it('should point at domain status for the rule and say it expired when offline and past expiry', () => {
    const later = new Date(now.getTime() + 24 * HOUR + 5 * 60_000);
    const lines = ceremony(proposal, { now: later });
    expect(lines[3]).toBe('expires 2030-01-02T00:00:00.000Z (expired 5 min ago)');
    expect(lines[5]).toBe(
      "decided by the remove-member rule of the domain's current state (domain status shows it)",
    );
  });
});

describe('proposalProblem', () => {
  const state = testState([alice, bob]);
  const now = new Date();
  const good = newProposal(state, { kind: 'rotate-domain-key', generation: 3 }, { ttlMs: HOUR, now });

  it('should find nothing when the proposal is well formed and unexpired', () => {
    expect(proposalProblem(good, now)).toBeUndefined();
  });

  it('should say MALFORMED, EXPIRED or TOO_LONG when the proposal is not a proposal, past its expiry or too long-lived', () => {
    expect(proposalProblem({ ...good, extra: 1 }, now)?.code).toBe('MALFORMED');
    expect(proposalProblem({ ...good, change: { kind: 'grow' } }, now)?.code).toBe('MALFORMED');
    expect(proposalProblem(null, now)?.code).toBe('MALFORMED');
    expect(proposalProblem(good, new Date(now.getTime() + 2 * HOUR))?.code).toBe('EXPIRED');
    const long: DomainProposal = {
      ...good,
      expiresAt: new Date(now.getTime() + 8 * 24 * HOUR).toISOString(),
    };
    expect(proposalProblem(long, now)?.code).toBe('TOO_LONG');
  });
});

describe('quorumProgress', () => {
  const rule = {
    alternatives: [
      { operators: ['alice', 'dave'], threshold: 2 },
      { operators: ['alice', 'bob', 'carol'], threshold: 3 },
    ],
  };

  it('should say met and list the distinct signers when an alternative is satisfied', () => {
    expect(quorumProgress(rule, ['dave', 'alice', 'alice'])).toEqual({
      rule: '2 of {alice, dave} or 3 of {alice, bob, carol}',
      met: true,
      signers: ['alice', 'dave'],
    });
  });

  it('should name the alternative needing the fewest more signers and who could give them when not met', () => {
    expect(quorumProgress(rule, ['bob', 'carol'])).toMatchObject({
      met: false,
      signers: ['bob', 'carol'],
      closest: { alternative: '3 of {alice, bob, carol}', more: 1, from: ['alice'] },
    });
    expect(quorumProgress(rule, [])).toMatchObject({
      met: false,
      closest: { alternative: '2 of {alice, dave}', more: 2, from: ['alice', 'dave'] },
    });
  });
});
