import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';

import { applyChange, checkProposal } from './check-proposal.js';
import { type DomainState, type Operator, developmentDomain } from './domain-state.js';
import { QuorumError } from './needs.js';
import {
  type DomainChange,
  type DomainProposal,
  type OperatorSignature,
  newProposal,
  signProposal,
} from './proposal.js';
import { type QuorumRule, ruleSatisfied, thresholdRule, uniformRules } from './rules.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IDS = ['A', 'B', 'C', 'D', 'E'] as const;
type Id = (typeof IDS)[number];
const KEYS = Object.fromEntries(IDS.map((id) => [id, generateKeyPairSync('ed25519')])) as Record<
  Id,
  { publicKey: KeyObject; privateKey: KeyObject }
>;
const operator = (id: Id): Operator => ({
  id,
  publicKey: KEYS[id].publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
});
const TWO_OF_ABC = thresholdRule(['A', 'B', 'C'], 2);
const A_AND_D_OR_2_OF_ABC: QuorumRule = {
  alternatives: [
    { operators: ['A', 'D'], threshold: 2 },
    { operators: ['A', 'B', 'C'], threshold: 2 },
  ],
};

/** Operators A..D (E is nobody's), two members, generation 2 active and 1 retiring, one rule for every kind. */
function domain(rule: QuorumRule = TWO_OF_ABC, edit: (s: DomainState) => void = () => {}): DomainState {
  const base = developmentDomain(
    'dom-1',
    [
      { nodeId: 'hsm-1', tokenLabel: 't1' },
      { nodeId: 'hsm-2', tokenLabel: 't2' },
    ],
    operator('A'),
  );
  const state: DomainState = {
    ...base,
    epoch: 5,
    generation: 2,
    generations: [
      { generation: 1, state: 'retiring' },
      { generation: 2, state: 'active' },
    ],
    operators: (['A', 'B', 'C', 'D'] as const).map(operator),
    rules: uniformRules(rule),
  };
  edit(state);
  return state;
}

const IDENTITY = Buffer.from('an RSA SPKI in real life').toString('base64');
const KCV = '0123456789abcdef0123456789abcdef';
const KCV2 = 'fedcba9876543210fedcba9876543210';
const ADD: DomainChange = {
  kind: 'add-member',
  member: { nodeId: 'hsm-3', tokenLabel: 't3', identityPublicKey: IDENTITY },
  keyCheckValues: [
    { generation: 1, keyCheckValue: KCV },
    { generation: 2, keyCheckValue: KCV2 },
  ],
};
const ROTATE: DomainChange = {
  kind: 'rotate-domain-key',
  generation: 3,
  origin: 'hsm-1',
  keyCheckValue: KCV,
};
const propose = (state: DomainState, change: DomainChange = ADD): DomainProposal =>
  newProposal(state, change, { ttlMs: HOUR, now: NOW });
const sign = (p: DomainProposal, ...ids: Id[]): OperatorSignature[] =>
  ids.map((id) => signProposal(p, id, KEYS[id].privateKey));

describe('checkProposal', () => {
  describe('the issue test list, with a 2-of-3 rule over A, B, C', () => {
    const state = domain();
    const p = propose(state);

    it('should refuse with QUORUM_NOT_MET when only one operator signed', () => {
      const r = checkProposal(state, p, sign(p, 'A'), { now: NOW });
      expect(r).toMatchObject({ ok: false, code: 'QUORUM_NOT_MET' });
      expect(!r.ok && r.message).toBe('add-member needs 2 of {A, B, C}; distinct valid signers: {A}');
    });

    it('should refuse with BAD_SIGNATURE when a signature is forged', () => {
      const forged = { operatorId: 'B', signature: signProposal(p, 'B', KEYS.E.privateKey).signature };
      expect(checkProposal(state, p, [...sign(p, 'A'), forged], { now: NOW })).toMatchObject({
        ok: false,
        code: 'BAD_SIGNATURE',
      });
    });

    it('should refuse with BAD_SIGNATURE when a signature covers a different change', () => {
      const other: DomainProposal = { ...p, change: { kind: 'remove-member', nodeId: 'hsm-2' } };
      expect(checkProposal(state, p, [...sign(p, 'A'), ...sign(other, 'B')], { now: NOW })).toMatchObject({
        ok: false,
        code: 'BAD_SIGNATURE',
      });
    });

    it('should refuse with REPLAYED when the nonce was already seen', () => {
      const seenNonces = new Set([p.nonce]);
      expect(checkProposal(state, p, sign(p, 'A', 'B'), { now: NOW, seenNonces })).toMatchObject({
        ok: false,
        code: 'REPLAYED',
      });
    });

    it('should refuse with STALE_EPOCH when the proposal was made for an earlier epoch', () => {
      const old = { ...p, epoch: state.epoch - 1 };
      expect(checkProposal(state, old, sign(old, 'A', 'B'), { now: NOW })).toMatchObject({
        ok: false,
        code: 'STALE_EPOCH',
      });
    });

    it('should refuse with EXPIRED when now is at or after expiresAt', () => {
      for (const now of [new Date(NOW.getTime() + HOUR), new Date(NOW.getTime() + 2 * HOUR)]) {
        expect(checkProposal(state, p, sign(p, 'A', 'B'), { now })).toMatchObject({
          ok: false,
          code: 'EXPIRED',
        });
      }
    });

    it('should refuse with UNKNOWN_SIGNER when one signer is not an operator, even with a quorum beside it', () => {
      expect(checkProposal(state, p, sign(p, 'A', 'B', 'E'), { now: NOW })).toMatchObject({
        ok: false,
        code: 'UNKNOWN_SIGNER',
      });
    });

    it('should count an operator once when it signed twice', () => {
      const r = checkProposal(state, p, [...sign(p, 'A'), ...sign(p, 'A')], { now: NOW });
      expect(r).toMatchObject({ ok: false, code: 'QUORUM_NOT_MET' });
      expect(!r.ok && r.message).toContain('distinct valid signers: {A}');
    });

    it('should apply the change at epoch + 1 when two operators signed', () => {
      const r = checkProposal(state, p, sign(p, 'C', 'A'), { now: NOW });
      expect(r).toMatchObject({ ok: true, signers: ['A', 'C'], rule: TWO_OF_ABC });
      if (!r.ok) return;
      expect(r.next.epoch).toBe(6);
      expect(r.next.members.map((m) => m.nodeId)).toEqual(['hsm-1', 'hsm-2', 'hsm-3']);
      expect(state.epoch).toBe(5);
      expect(state.members).toHaveLength(2);
    });

    it('should refuse the same proposal with REPLAYED or STALE_EPOCH when it is submitted again', () => {
      const first = checkProposal(state, p, sign(p, 'A', 'B'), { now: NOW });
      if (!first.ok) throw new Error(first.message);
      const again = (seenNonces?: Set<string>) =>
        checkProposal(first.next, p, sign(p, 'A', 'B'), { now: NOW, seenNonces });
      expect(again(new Set([p.nonce]))).toMatchObject({ ok: false, code: 'REPLAYED' });
      expect(again()).toMatchObject({ ok: false, code: 'STALE_EPOCH' });
    });
  });

  describe('refusal codes', () => {
    interface Case {
      name: string;
      code: string;
      state?: DomainState;
      change?: DomainChange;
      /** Edits the proposal before it is signed. */
      edit?: (p: DomainProposal) => unknown;
      signatures?: (p: DomainProposal) => unknown;
      now?: Date;
    }
    const bad = (v: unknown) => () => v;
    const cases: Case[] = [
      { name: 'the proposal is not an object', code: 'MALFORMED', edit: bad('hello') },
      {
        name: 'the type is wrong',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, type: 'symbolon.domain-proposal.v2' }),
      },
      { name: 'a field is missing', code: 'MALFORMED', edit: ({ nonce: _n, ...p }) => p },
      { name: 'the state digest is missing', code: 'MALFORMED', edit: ({ stateDigest: _d, ...p }) => p },
      { name: 'a field is unexpected', code: 'MALFORMED', edit: (p) => ({ ...p, note: 'x' }) },
      {
        name: 'the kind is unknown',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { kind: 'change-rules' } }),
      },
      {
        name: 'the change has an unexpected field',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { ...ADD, x: 1 } }),
      },
      {
        name: 'a member has no tokenLabel',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { kind: 'add-member', member: { nodeId: 'hsm-3' } } }),
      },
      {
        name: 'a member label is not a string',
        code: 'MALFORMED',
        edit: (p) => ({
          ...p,
          change: { kind: 'add-member', member: { nodeId: 'hsm-3', tokenLabel: 't', labels: { region: 1 } } },
        }),
      },
      {
        name: 'an optional member field is present but undefined',
        code: 'MALFORMED',
        edit: (p) => ({
          ...p,
          change: { kind: 'add-member', member: { nodeId: 'n', tokenLabel: 't', labels: undefined } },
        }),
        signatures: bad([]),
      },
      {
        name: 'the epoch is a fraction (it has no canonical form, so nobody could sign it)',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, epoch: 5.5 }),
        signatures: bad([]),
      },
      {
        name: 'a generation is 0',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { kind: 'rotate-domain-key', generation: 0 } }),
      },
      {
        name: 'a key check value is not 32 lowercase hex digits',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { ...ROTATE, keyCheckValue: KCV.toUpperCase() } }),
      },
      {
        name: 'an add-member check value is not hex',
        code: 'MALFORMED',
        edit: (p) => ({
          ...p,
          change: { ...ADD, keyCheckValues: [{ generation: 1, keyCheckValue: 'xyz' }] },
        }),
      },
      {
        name: 'an add-member check value entry has an extra field',
        code: 'MALFORMED',
        edit: (p) => ({
          ...p,
          change: { ...ADD, keyCheckValues: [{ generation: 1, keyCheckValue: KCV, note: 'x' }] },
        }),
      },
      {
        name: 'a rotation names its origin without a key check value',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { kind: 'rotate-domain-key', generation: 3, origin: 'hsm-1' } }),
      },
      {
        name: 'set-rules has a threshold that is not an integer',
        code: 'MALFORMED',
        edit: (p) => ({
          ...p,
          change: {
            kind: 'set-rules',
            rules: { 'add-member': { alternatives: [{ operators: ['A'], threshold: '1' }] } },
          },
        }),
      },
      {
        name: 'set-operators has an operator without a key',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, change: { kind: 'set-operators', operators: [{ id: 'A' }] } }),
      },
      {
        name: 'expiresAt is not an ISO time',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, expiresAt: 'tomorrow' }),
      },
      {
        name: 'expiresAt is not written as toISOString does',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, expiresAt: '2030-01-01T01:00:00Z' }),
      },
      {
        name: 'the nonce is not 16 bytes',
        code: 'MALFORMED',
        edit: (p) => ({ ...p, nonce: randomBytes(8).toString('base64') }),
      },
      { name: 'the signatures are not a list', code: 'MALFORMED', signatures: bad({ A: 'sig' }) },
      {
        name: 'a signature has no operatorId',
        code: 'MALFORMED',
        signatures: (p) => [{ signature: sign(p, 'A')[0]!.signature }],
      },
      {
        name: 'there are more than 32 signatures',
        code: 'MALFORMED',
        signatures: (p) => Array.from({ length: 33 }, () => sign(p, 'A')[0]),
      },
      { name: 'the domain is another one', code: 'WRONG_DOMAIN', edit: (p) => ({ ...p, domainId: 'dom-2' }) },
      { name: 'the epoch is ahead of the state', code: 'FUTURE_EPOCH', edit: (p) => ({ ...p, epoch: 6 }) },
      {
        name: 'the proposal expires more than 7 days after now',
        code: 'TOO_LONG',
        edit: (p) => ({ ...p, expiresAt: new Date(NOW.getTime() + 7 * DAY + 1).toISOString() }),
      },
      {
        name: 'a signature is random bytes',
        code: 'BAD_SIGNATURE',
        signatures: (p) => [
          ...sign(p, 'A', 'B'),
          { operatorId: 'C', signature: randomBytes(64).toString('base64') },
        ],
      },
      {
        name: 'a signature is not base64',
        code: 'BAD_SIGNATURE',
        signatures: (p) => [...sign(p, 'A', 'B'), { operatorId: 'C', signature: '!!not base64!!' }],
      },
      {
        name: "the signer's stored public key is not an Ed25519 key",
        code: 'BAD_SIGNATURE',
        state: domain(TWO_OF_ABC, (s) => (s.operators[1]!.publicKey = 'pk')),
      },
      { name: 'there is no signature', code: 'QUORUM_NOT_MET', signatures: bad([]) },
      {
        name: 'only D, outside the rule, signed',
        code: 'QUORUM_NOT_MET',
        signatures: (p) => sign(p, 'A', 'D'),
      },
      {
        name: 'the new member nodeId exists',
        code: 'INVALID_CHANGE',
        change: { kind: 'add-member', member: { nodeId: 'hsm-2', tokenLabel: 'other' } },
      },
      {
        name: 'the removed member is unknown',
        code: 'INVALID_CHANGE',
        change: { kind: 'remove-member', nodeId: 'hsm-9' },
      },
      {
        name: 'the removed member is the last',
        code: 'INVALID_CHANGE',
        state: domain(TWO_OF_ABC, (s) => s.members.pop()),
        change: { kind: 'remove-member', nodeId: 'hsm-1' },
      },
      {
        name: 'the destroyed generation is the active one',
        code: 'INVALID_CHANGE',
        change: { kind: 'destroy-generation', generation: 2 },
      },
      {
        name: 'the destroyed generation is unknown',
        code: 'INVALID_CHANGE',
        change: { kind: 'destroy-generation', generation: 7 },
      },
      {
        name: 'the destroyed generation is already destroyed',
        code: 'INVALID_CHANGE',
        state: domain(TWO_OF_ABC, (s) => (s.generations[0]!.state = 'destroyed')),
        change: { kind: 'destroy-generation', generation: 1 },
      },
      {
        name: 'the new generation skips one',
        code: 'INVALID_CHANGE',
        change: { ...ROTATE, generation: 4 },
      },
      {
        name: 'the new generation exists',
        code: 'INVALID_CHANGE',
        change: { ...ROTATE, generation: 2 },
      },
      {
        name: 'a domain of two tokens rotates without a key made ahead',
        code: 'INVALID_CHANGE',
        change: { kind: 'rotate-domain-key', generation: 3 },
      },
      {
        name: 'the rotation origin is not a member',
        code: 'INVALID_CHANGE',
        change: { ...ROTATE, origin: 'hsm-9' },
      },
      {
        name: 'a check value names a destroyed generation',
        code: 'INVALID_CHANGE',
        state: domain(TWO_OF_ABC, (s) => (s.generations[0]!.state = 'destroyed')),
      },
      {
        name: 'a generation has two check values',
        code: 'INVALID_CHANGE',
        change: { ...ADD, keyCheckValues: [...ADD.keyCheckValues!, { generation: 2, keyCheckValue: KCV2 }] },
      },
      {
        name: 'a check value differs from the one the state recorded',
        code: 'INVALID_CHANGE',
        state: domain(TWO_OF_ABC, (s) => (s.generations[1]!.keyCheckValue = 'f'.repeat(32))),
      },
      {
        name: 'the check value of a live generation is missing',
        code: 'INVALID_CHANGE',
        change: { ...ADD, keyCheckValues: [{ generation: 2, keyCheckValue: KCV2 }] },
      },
      {
        name: 'the proposal was made for another state of the same epoch',
        code: 'STATE_MISMATCH',
        edit: (p) => ({ ...p, stateDigest: 'e'.repeat(64) }),
      },
      {
        name: 'the new member names no identity key',
        code: 'INVALID_CHANGE',
        change: { kind: 'add-member', member: { nodeId: 'hsm-3', tokenLabel: 't3' } },
      },
      {
        name: 'set-rules misses a kind',
        code: 'INVALID_CHANGE',
        change: {
          kind: 'set-rules',
          rules: (({ 'set-rules': _r, ...rest }) => rest)(uniformRules(TWO_OF_ABC)) as never,
        },
      },
      {
        name: 'set-rules names an unknown operator',
        code: 'INVALID_CHANGE',
        change: { kind: 'set-rules', rules: uniformRules(thresholdRule(['A', 'E'], 2)) },
      },
      {
        name: 'set-rules has a threshold above n',
        code: 'INVALID_CHANGE',
        change: {
          kind: 'set-rules',
          rules: uniformRules({ alternatives: [{ operators: ['A'], threshold: 2 }] }),
        },
      },
      {
        name: 'set-operators drops an operator a rule needs',
        code: 'INVALID_CHANGE',
        change: { kind: 'set-operators', operators: [operator('A'), operator('B')] },
      },
      {
        name: 'set-operators names an operator twice',
        code: 'INVALID_CHANGE',
        change: {
          kind: 'set-operators',
          operators: [operator('A'), operator('B'), operator('C'), operator('A')],
        },
      },
      {
        name: 'set-operators gives a key that is not Ed25519',
        code: 'INVALID_CHANGE',
        change: {
          kind: 'set-operators',
          operators: [
            operator('A'),
            operator('B'),
            { id: 'C', publicKey: randomBytes(32).toString('base64') },
          ],
        },
      },
      {
        name: 'set-operators is empty',
        code: 'INVALID_CHANGE',
        change: { kind: 'set-operators', operators: [] },
      },
    ];

    it.each(cases)('should refuse with $code when $name', (c) => {
      const state = c.state ?? domain();
      const p = (c.edit ?? ((x: DomainProposal) => x))(propose(state, c.change)) as DomainProposal;
      const signatures = c.signatures ? c.signatures(p) : sign(p, 'A', 'B');
      const r = checkProposal(state, p, signatures, { now: c.now ?? NOW });
      expect(r).toMatchObject({ ok: false, code: c.code });
    });
  });

  describe('changes that apply', () => {
    const state = domain();
    const applied = (change: DomainChange): DomainState => {
      const p = propose(state, change);
      const r = checkProposal(state, p, sign(p, 'A', 'B'), { now: NOW });
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      expect(r.next.epoch).toBe(state.epoch + 1);
      return r.next;
    };

    it('should add the member with its identity key and labels when add-member is approved', () => {
      const member = {
        nodeId: 'hsm-3',
        tokenLabel: 't3',
        identityPublicKey: operator('E').publicKey,
        labels: { region: 'eu-west', jurisdiction: 'DE' },
      };
      expect(applied({ ...ADD, member }).members).toContainEqual(member);
    });

    it('should drop the member when remove-member is approved', () => {
      expect(applied({ kind: 'remove-member', nodeId: 'hsm-2' }).members).toEqual([
        { nodeId: 'hsm-1', tokenLabel: 't1' },
      ]);
    });

    it('should make the new generation active and the old one retiring when rotate-domain-key is approved', () => {
      const next = applied(ROTATE);
      expect(next.generation).toBe(3);
      expect(next.generations).toEqual([
        { generation: 1, state: 'retiring' },
        { generation: 2, state: 'retiring' },
        { generation: 3, state: 'active', keyCheckValue: KCV },
      ]);
    });

    it('should record the check values an add-member names for generations that had none', () => {
      const next = applied(ADD);
      expect(next.generations).toEqual([
        { generation: 1, state: 'retiring', keyCheckValue: KCV },
        { generation: 2, state: 'active', keyCheckValue: KCV2 },
      ]);
    });

    it('should let a domain of one token rotate without a key made ahead', () => {
      const next = applyChange(
        domain(TWO_OF_ABC, (s) => s.members.pop()),
        { kind: 'rotate-domain-key', generation: 3 },
      );
      expect(next.generations.at(-1)).toEqual({ generation: 3, state: 'active' });
    });

    it('should mark the generation destroyed when destroy-generation is approved', () => {
      expect(applied({ kind: 'destroy-generation', generation: 1 }).generations[0]).toEqual({
        generation: 1,
        state: 'destroyed',
      });
    });

    it('should replace the operators when set-operators keeps every rule satisfiable', () => {
      const operators = [operator('A'), operator('B'), operator('C'), operator('E')];
      expect(applied({ kind: 'set-operators', operators }).operators).toEqual(operators);
    });

    it('should replace the rules when set-rules passes checkRules', () => {
      const rules = uniformRules(A_AND_D_OR_2_OF_ABC);
      expect(applied({ kind: 'set-rules', rules }).rules).toEqual(rules);
    });

    it('should judge set-rules by the current rule when the proposed rule is weaker', () => {
      const p = propose(state, { kind: 'set-rules', rules: uniformRules(thresholdRule(['A'], 1)) });
      expect(checkProposal(state, p, sign(p, 'A'), { now: NOW })).toMatchObject({
        ok: false,
        code: 'QUORUM_NOT_MET',
      });
    });

    it('should use the rule of the change kind when kinds have different rules', () => {
      const mixed = domain(TWO_OF_ABC, (s) => (s.rules['remove-member'] = thresholdRule(['D'], 1)));
      const p = propose(mixed, { kind: 'remove-member', nodeId: 'hsm-2' });
      expect(checkProposal(mixed, p, sign(p, 'D'), { now: NOW })).toMatchObject({ ok: true });
      const q = propose(mixed, ADD);
      expect(checkProposal(mixed, q, sign(q, 'D'), { now: NOW })).toMatchObject({
        ok: false,
        code: 'QUORUM_NOT_MET',
      });
    });
  });

  describe('with the rule "A and D together, or any 2 of {A, B, C}"', () => {
    const state = domain(A_AND_D_OR_2_OF_ABC);
    const p = propose(state);

    it.each<[Id[], boolean]>([
      [['A', 'D'], true],
      [['D', 'A'], true],
      [['A', 'B'], true],
      [['B', 'C'], true],
      [['A', 'C', 'D'], true],
      [['C', 'D'], false],
      [['B', 'D'], false],
      [['D'], false],
      [['A'], false],
      [['D', 'D'], false],
    ])('should decide by the rule when %j sign', (signers, accepted) => {
      const r = checkProposal(state, p, sign(p, ...signers), { now: NOW });
      expect(r.ok).toBe(accepted);
      if (!r.ok) expect(r).toMatchObject({ code: 'QUORUM_NOT_MET' });
    });

    it('should name both alternatives when the quorum is not met', () => {
      const r = checkProposal(state, p, sign(p, 'D'), { now: NOW });
      expect(!r.ok && r.message).toBe(
        'add-member needs 2 of {A, D} or 2 of {A, B, C}; distinct valid signers: {D}',
      );
    });
  });

  it('should accept exactly when ruleSatisfied says so when random operators sign', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(TWO_OF_ABC, A_AND_D_OR_2_OF_ABC),
        fc.array(fc.constantFrom<Id>('A', 'B', 'C', 'D'), { maxLength: 6 }),
        (rule, signers) => {
          const state = domain(rule);
          const p = propose(state);
          const r = checkProposal(state, p, sign(p, ...signers), { now: NOW });
          expect(r.ok).toBe(ruleSatisfied(rule, signers));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('checkProposal across realms', () => {
  it('should accept a proposal whose objects were made in another realm when it comes from structuredClone', () => {
    const state = domain();
    const p = propose(state);
    const r = checkProposal(
      state,
      runInNewContext('(p) => JSON.parse(JSON.stringify(p))')(p),
      sign(p, 'A', 'B'),
      {
        now: NOW,
      },
    );
    expect(r.ok).toBe(true);
  });
});

describe('applyChange', () => {
  it('should give the next state at epoch + 1 when the change is valid', () => {
    const state = domain();
    const next = applyChange(state, ROTATE);
    expect(next.epoch).toBe(6);
    expect(next.generation).toBe(3);
    expect(state.generation).toBe(2);
  });

  it('should throw a QuorumError naming the problem when the change is invalid', () => {
    expect(() => applyChange(domain(), { kind: 'destroy-generation', generation: 2 })).toThrow(
      new QuorumError('generation 2 is active: rotate first'),
    );
    expect(() => applyChange(domain(), { kind: 'remove-member', nodeId: 7 } as never)).toThrow(QuorumError);
  });
});
