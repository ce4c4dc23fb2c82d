import { jest } from '@jest/globals';
import {
  type DomainKeyPackage,
  ErrorCodes,
  type HsmDomainApplyRequest,
  KmsError,
  toBase64,
} from '@symbolon/contracts';
import { FakeHsm } from '@symbolon/pkcs11';
import {
  type DomainChange,
  type DomainState,
  type Member,
  developmentDomain,
  newProposal,
  signProposal,
} from '@symbolon/quorum';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NodeSettings } from '../token/hsm.tokens.js';
import { DomainStateStore } from './domain-state.store.js';
import { DomainUseCase } from './domain.use-case.js';

const DOMAIN_ID = 'domain-1';
const OPERATOR_ID = 'op-1';
const operatorKeys = generateKeyPairSync('ed25519');
const operator = {
  id: OPERATOR_ID,
  publicKey: operatorKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
};

interface TestNode {
  id: string;
  hsm: FakeHsm;
  settings: NodeSettings;
  file: string;
  useCase: DomainUseCase;
  /** The approved add-member that made this node a member (what it checks when it joins). */
  approval?: { proposal: Record<string, unknown>; signatures: unknown[] };
}

let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-domain-use-case-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A node over its own fake token (state, identity and signing keys made) and its own state file. */
function makeNode(id: string): TestNode {
  const hsm = new FakeHsm(`token-${id}`);
  hsm.ensureStateKey();
  hsm.ensureIdentityKey();
  hsm.ensureSigningKey();
  const settings: NodeSettings = { nodeId: id, tokenLabel: `token-${id}`, domainGeneration: 1 };
  const file = join(dir, `${id}-${++files}.json`);
  const useCase = new DomainUseCase(new DomainStateStore(hsm, file), settings, hsm);
  return { id, hsm, settings, file, useCase };
}

function memberOf(node: TestNode, withIdentity = true): Member {
  return {
    nodeId: node.id,
    tokenLabel: node.settings.tokenLabel,
    ...(withIdentity ? { identityPublicKey: node.useCase.state().identityPublicKey } : {}),
  };
}

function stateOf(node: TestNode): DomainState {
  const state = node.useCase.state().state;
  if (state === null) throw new Error(`${node.id} holds no state`);
  return state as unknown as DomainState;
}

/** A node that made the domain: generation 1 in its token, genesis with `others` as further members. */
function genesisNode(id: string, others: Member[] = []): TestNode {
  const node = makeNode(id);
  node.hsm.ensureDomainKey(1);
  node.useCase.genesis({
    requestId: 'genesis',
    state: developmentDomain(DOMAIN_ID, [memberOf(node), ...others], operator) as unknown as Record<
      string,
      unknown
    >,
  });
  return node;
}

/** `change` to the state `node` holds, signed by the one operator of the development domain. */
function approved(node: TestNode, change: DomainChange): HsmDomainApplyRequest {
  const proposal = newProposal(stateOf(node), change, { ttlMs: 60_000, now: new Date() });
  return {
    requestId: 'apply',
    proposal: proposal as unknown as Record<string, unknown>,
    signatures: [signProposal(proposal, OPERATOR_ID, operatorKeys.privateKey)],
  };
}

/** Node A made the domain and applied add-member B; B has not joined yet. */
function addedNotJoined(): { a: TestNode; b: TestNode } {
  const a = genesisNode('node-a');
  const b = makeNode('node-b');
  const addition = approved(a, {
    kind: 'add-member',
    member: memberOf(b),
    keyCheckValues: [{ generation: 1, keyCheckValue: a.hsm.domainKeyCheckValue(1) }],
  });
  a.useCase.apply(addition);
  b.approval = { proposal: addition.proposal, signatures: addition.signatures };
  return { a, b };
}

/** Node A made the domain, B joined it with A's keys. */
function twoMembers(): { a: TestNode; b: TestNode } {
  const { a, b } = addedNotJoined();
  b.useCase.join({
    ...b.approval!,
    requestId: 'join',
    state: stateOf(a) as unknown as Record<string, unknown>,
    keys: a.useCase.transport({ requestId: 'transport', to: b.id }),
  });
  return { a, b };
}

function kmsError(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

/** True when key material made in `from` under `generation` decrypts in `to`. */
function sharesKeys(from: FakeHsm, to: FakeHsm, generation: number): boolean {
  const ref = from.generateKeyMaterial(generation);
  const iv = randomBytes(12);
  const aad = Buffer.from('context');
  const sealed = from.encrypt(ref, iv, Buffer.from('one domain'), aad);
  return Buffer.from(to.decrypt(ref, iv, sealed, aad)).toString() === 'one domain';
}

const asRecord = (state: DomainState): Record<string, unknown> => state as unknown as Record<string, unknown>;

describe('DomainUseCase', () => {
  describe('state', () => {
    it('should report the node, no state and the token identity key when no domain is installed', () => {
      const node = makeNode('node-a');
      expect(node.useCase.state()).toEqual({
        nodeId: 'node-a',
        tokenLabel: 'token-node-a',
        state: null,
        identityPublicKey: Buffer.from(node.hsm.identityPublicKey()).toString('base64'),
        keyCheckValues: [],
      });
    });

    it('should answer INVALID_STATE when the token has no identity key', () => {
      const hsm = new FakeHsm('bare');
      hsm.ensureStateKey();
      const useCase = new DomainUseCase(
        new DomainStateStore(hsm, join(dir, `bare-${++files}.json`)),
        { nodeId: 'node-x', tokenLabel: 'bare', domainGeneration: 1 },
        hsm,
      );
      expect(kmsError(() => useCase.state()).code).toBe(ErrorCodes.INVALID_STATE);
    });
  });

  describe('genesis', () => {
    it('should install an epoch-1 state and keep it in the state file when the node holds none', () => {
      const a = genesisNode('node-a');
      expect(stateOf(a)).toMatchObject({ domainId: DOMAIN_ID, epoch: 1, generation: 1 });
      const restarted = new DomainUseCase(
        new DomainStateStore(a.hsm, a.file),
        { nodeId: 'node-a', tokenLabel: 'token-node-a', domainGeneration: 0 },
        a.hsm,
      );
      expect(restarted.state().state).toEqual(a.useCase.state().state);
    });

    it('should refuse with VALIDATION when the state does not name this node or its epoch is not 1', () => {
      const a = makeNode('node-a');
      const other = developmentDomain(DOMAIN_ID, [{ nodeId: 'node-z', tokenLabel: 't' }], operator);
      const e1 = kmsError(() => a.useCase.genesis({ requestId: 'g', state: asRecord(other) }));
      expect(e1.code).toBe(ErrorCodes.VALIDATION);
      expect(e1.message).toContain('it does not name this node');
      const later = { ...developmentDomain(DOMAIN_ID, [memberOf(a)], operator), epoch: 2 };
      const e2 = kmsError(() => a.useCase.genesis({ requestId: 'g', state: asRecord(later) }));
      expect(e2.code).toBe(ErrorCodes.VALIDATION);
      expect(e2.message).toContain('a genesis state has epoch 1');
      expect(a.useCase.state().state).toBeNull();
    });
  });

  describe('join', () => {
    it('should hold the same state and the same domain key as the member when that member sends the keys', () => {
      const { a, b } = addedNotJoined();
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      const reply = b.useCase.join({ ...b.approval!, requestId: 'j', state: asRecord(stateOf(a)), keys });
      expect(reply.nodeId).toBe('node-b');
      expect(reply.state).toEqual(a.useCase.state().state);
      expect(b.useCase.state().state).toEqual(a.useCase.state().state);
      expect(b.hsm.hasDomainKey(1)).toBe(true);
      expect(b.hsm.domainKeyCheckValue(1)).toBe(a.hsm.domainKeyCheckValue(1));
      expect(b.settings.domainGeneration).toBe(1);
    });

    it('should decrypt in the joined token key material made in the member token when the node joined', () => {
      const { a, b } = twoMembers();
      expect(sharesKeys(a.hsm, b.hsm, 1)).toBe(true);
      expect(sharesKeys(b.hsm, a.hsm, 1)).toBe(true);
    });

    it('should keep the joined state across a restart when the state file is read again', () => {
      const { a, b } = twoMembers();
      const restarted = new DomainUseCase(
        new DomainStateStore(b.hsm, b.file),
        { nodeId: 'node-b', tokenLabel: 'token-node-b', domainGeneration: 0 },
        b.hsm,
      );
      expect(restarted.state().state).toEqual(a.useCase.state().state);
    });

    describe('refusals', () => {
      let a: TestNode;
      let b: TestNode;
      let state: DomainState;
      let keys: DomainKeyPackage;

      beforeAll(() => {
        ({ a, b } = addedNotJoined());
        state = stateOf(a);
        keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      });

      afterEach(() => {
        // A refused join leaves the node as it was: no state, no domain key.
        expect(b.useCase.state().state).toBeNull();
        expect(b.hsm.hasDomainKey(1)).toBe(false);
      });

      function refusal(s: DomainState, k: DomainKeyPackage | undefined): KmsError {
        return kmsError(() =>
          b.useCase.join({ ...b.approval!, requestId: 'j', state: asRecord(s), keys: k as DomainKeyPackage }),
        );
      }

      it('should refuse with VALIDATION when the state does not name this node', () => {
        const without = { ...state, members: state.members.filter((m) => m.nodeId !== 'node-b') };
        const e = refusal(without, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('it does not name this node');
      });

      it('should refuse with VALIDATION when the state names this node with another identity key', () => {
        const otherKey = makeNode('node-c').useCase.state().identityPublicKey;
        const swapped = {
          ...state,
          members: state.members.map((m) =>
            m.nodeId === 'node-b' ? { ...m, identityPublicKey: otherKey } : m,
          ),
        };
        const e = refusal(swapped, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the state does not name this node as the proposal does');
      });

      it('should refuse with VALIDATION when the state names this node without an identity key', () => {
        const bare = {
          ...state,
          members: state.members.map((m) =>
            m.nodeId === 'node-b' ? { nodeId: m.nodeId, tokenLabel: 't' } : m,
          ),
        };
        const e = refusal(bare, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the state does not name this node as the proposal does');
      });

      it('should refuse with VALIDATION when there is no key package', () => {
        const e = refusal(state, undefined);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('no key package');
      });

      it('should refuse with VALIDATION when the package is for another node', () => {
        const e = refusal(state, { ...keys, to: 'node-c' });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('they are for another node');
      });

      it('should refuse with VALIDATION when the package comes from a node that is not a member', () => {
        const e = refusal(state, { ...keys, from: 'node-z' });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('node-z is not another member');
      });

      it('should refuse with VALIDATION when the package claims to come from this node itself', () => {
        const e = refusal(state, { ...keys, from: 'node-b' });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('node-b is not another member');
      });

      it('should refuse with VALIDATION when the package is for another domain', () => {
        const e = refusal(state, { ...keys, domainId: 'domain-2' });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('they are for another domain');
      });

      it('should refuse with VALIDATION when the package lacks a live generation', () => {
        const e = refusal(state, { ...keys, keys: [] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('no key for generation 1');
      });

      it('should refuse with VALIDATION when a generation appears twice in the package', () => {
        const e = refusal(state, { ...keys, keys: [keys.keys[0]!, keys.keys[0]!] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('a key entry is malformed or repeated');
      });

      it('should refuse with VALIDATION when a key entry is malformed', () => {
        const broken = { generation: 1, keyCheckValue: keys.keys[0]!.keyCheckValue } as never;
        const e = refusal(state, { ...keys, keys: [broken] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('a key entry is malformed or repeated');
      });

      it('should refuse with VALIDATION when the wrapped key is random bytes', () => {
        const forged = { ...keys.keys[0]!, wrapped: toBase64(randomBytes(384)) };
        const e = refusal(state, { ...keys, keys: [forged] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('does not unwrap here to check value');
      });

      it('should refuse with VALIDATION when the key is not the one whose check value the operators signed', () => {
        // Anyone can wrap a key of their own for B's public identity key and give its true check value.
        const own = new FakeHsm('forger');
        own.ensureDomainKey(1);
        const forged = {
          generation: 1,
          wrapped: toBase64(
            own.wrapDomainKeyForMember(1, { nodeId: 'node-b', identityPublicKey: b.hsm.identityPublicKey() }),
          ),
          keyCheckValue: own.domainKeyCheckValue(1),
        };
        const e = refusal(state, { ...keys, keys: [forged] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain(`does not unwrap here to check value ${a.hsm.domainKeyCheckValue(1)}`);
      });

      it('should refuse with VALIDATION when the add-member is signed by an operator the node does not trust', () => {
        const pin = join(dir, `operators-${++files}.json`);
        const stranger = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
        writeFileSync(pin, JSON.stringify([{ id: OPERATOR_ID, publicKey: stranger.toString('base64') }]));
        b.settings.operatorsFile = pin;
        try {
          const e = refusal(state, keys);
          expect(e.code).toBe(ErrorCodes.VALIDATION);
          expect(e.message).toContain('the add-member is not approved: BAD_SIGNATURE');
        } finally {
          delete b.settings.operatorsFile;
        }
      });

      it('should refuse with INVALID_STATE when the trusted operators file cannot be read', () => {
        b.settings.operatorsFile = join(dir, 'missing-operators.json');
        try {
          expect(refusal(state, keys).code).toBe(ErrorCodes.INVALID_STATE);
        } finally {
          delete b.settings.operatorsFile;
        }
      });

      it('should refuse with VALIDATION when the join comes without the approved add-member', () => {
        const e = kmsError(() =>
          b.useCase.join({ requestId: 'j', state: asRecord(state), keys, proposal: {}, signatures: [] }),
        );
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the proposal does not add this node');
      });

      it('should refuse with VALIDATION when the approved add-member named another identity key', () => {
        const other = makeNode('node-x');
        const proposal = {
          ...b.approval!.proposal,
          change: {
            kind: 'add-member',
            member: { ...memberOf(b), identityPublicKey: other.useCase.state().identityPublicKey },
          },
        };
        const e = kmsError(() =>
          b.useCase.join({
            requestId: 'j',
            state: asRecord(state),
            keys,
            proposal,
            signatures: b.approval!.signatures,
          }),
        );
        expect(e.message).toContain('the proposal names another identity key for this node');
      });

      it('should refuse with VALIDATION when the key was wrapped for another token', () => {
        const c = makeNode('node-c');
        const forC = toBase64(
          a.hsm.wrapDomainKeyForMember(1, { nodeId: 'node-c', identityPublicKey: c.hsm.identityPublicKey() }),
        );
        const e = refusal(state, { ...keys, keys: [{ ...keys.keys[0]!, wrapped: forC }] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
      });
    });

    it('should answer the held state when the same state is joined twice', () => {
      const { a, b } = addedNotJoined();
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      const first = b.useCase.join({ ...b.approval!, requestId: 'j1', state: asRecord(stateOf(a)), keys });
      const second = b.useCase.join({ ...b.approval!, requestId: 'j2', state: asRecord(stateOf(a)), keys });
      expect(second).toEqual(first);
    });

    it('should refuse with ALREADY_EXISTS when a node that joined is asked to join another state', () => {
      const { a, b } = twoMembers();
      const before = b.useCase.state();
      const other = { ...stateOf(a), epoch: stateOf(a).epoch + 1 };
      const e = kmsError(() =>
        b.useCase.join({
          ...b.approval!,
          requestId: 'j',
          state: asRecord(other),
          keys: a.useCase.transport({ requestId: 't', to: 'node-b' }),
        }),
      );
      expect(e.code).toBe(ErrorCodes.ALREADY_EXISTS);
      expect(e.message).toContain('already holds a domain state');
      expect(b.useCase.state()).toEqual(before);
    });
  });

  describe('transport', () => {
    let a: TestNode;
    let b: TestNode;

    beforeAll(() => {
      // node-c is a member the state names without an identity key.
      a = genesisNode('node-a', [{ nodeId: 'node-c', tokenLabel: 'token-node-c' }]);
      b = makeNode('node-b');
      a.useCase.apply(approved(a, { kind: 'add-member', member: memberOf(b) }));
    });

    it('should wrap every live generation with its check value when no generations are named', () => {
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      expect(keys).toMatchObject({ domainId: DOMAIN_ID, epoch: 2, from: 'node-a', to: 'node-b' });
      expect(keys.keys).toHaveLength(1);
      expect(keys.keys[0]).toMatchObject({ generation: 1, keyCheckValue: a.hsm.domainKeyCheckValue(1) });
      expect(Buffer.from(keys.keys[0]!.wrapped, 'base64')).toHaveLength(384);
    });

    it('should refuse with VALIDATION when the recipient is not a member', () => {
      const e = kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-z' }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('node-z is not another member of the domain');
    });

    it('should refuse with VALIDATION when the recipient is the node itself', () => {
      const e = kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-a' }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('node-a is not another member of the domain');
    });

    it('should refuse with VALIDATION when the state names no identity key for the recipient', () => {
      const e = kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-c' }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('names no identity key for node-c');
    });

    it('should refuse with VALIDATION when a generation asked for is not live', () => {
      const e = kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-b', generations: [1, 2, 7] }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('holds no live key of generation 2, 7');
    });

    it('should refuse with INVALID_STATE when the node holds no domain state', () => {
      const e = kmsError(() => makeNode('node-y').useCase.transport({ requestId: 't', to: 'node-b' }));
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
    });
  });

  describe('rotation', () => {
    let a: TestNode;
    let b: TestNode;

    beforeEach(() => {
      ({ a, b } = twoMembers());
    });

    it('should make and name the next generation key when prepareRotation is asked for it', () => {
      const reply = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      expect(reply).toEqual({ nodeId: 'node-a', generation: 2, keyCheckValue: a.hsm.domainKeyCheckValue(2) });
      expect(reply.keyCheckValue).not.toBe(a.hsm.domainKeyCheckValue(1));
      // Asked again (an earlier proposal was not applied), the same key is named.
      expect(a.useCase.prepareRotation({ requestId: 'p2', generation: 2 })).toEqual(reply);
      expect(stateOf(a).generation).toBe(1);
    });

    it('should refuse with VALIDATION when prepareRotation names a generation other than the next', () => {
      for (const generation of [1, 3]) {
        const e = kmsError(() => a.useCase.prepareRotation({ requestId: 'p', generation }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain(`the next generation is 2, not ${generation}`);
      }
      expect(a.hsm.hasDomainKey(3)).toBe(false);
    });

    it('should leave the candidate out of a transport unless it is named', () => {
      a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      expect(a.useCase.transport({ requestId: 't', to: 'node-b' }).keys.map((k) => k.generation)).toEqual([
        1,
      ]);
      const named = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      expect(named.keys.map((k) => k.generation)).toEqual([2]);
    });

    it('should bring both members to the new generation with the same key when the rotation is applied', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      expect(b.useCase.receive({ requestId: 'r', keys })).toEqual({ nodeId: 'node-b', generations: [2] });
      const rotate = approved(a, {
        kind: 'rotate-domain-key',
        generation: 2,
        origin: 'node-a',
        keyCheckValue,
      });
      expect(a.useCase.apply(rotate)).toEqual({ nodeId: 'node-a', epoch: 3, signers: [OPERATOR_ID] });
      expect(b.useCase.apply(rotate)).toEqual({ nodeId: 'node-b', epoch: 3, signers: [OPERATOR_ID] });
      for (const node of [a, b]) {
        expect(stateOf(node)).toMatchObject({
          epoch: 3,
          generation: 2,
          generations: [
            { generation: 1, state: 'retiring' },
            { generation: 2, state: 'active', keyCheckValue },
          ],
        });
        expect(node.hsm.domainKeyCheckValue(2)).toBe(keyCheckValue);
        expect(node.settings.domainGeneration).toBe(2);
      }
      expect(stateOf(b)).toEqual(stateOf(a));
      expect(sharesKeys(a.hsm, b.hsm, 2)).toBe(true);
    });

    it('should refuse with INVALID_STATE and keep its state when the rotation key has not reached the node', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const rotate = approved(a, {
        kind: 'rotate-domain-key',
        generation: 2,
        origin: 'node-a',
        keyCheckValue,
      });
      const before = b.useCase.state();
      const e = kmsError(() => b.useCase.apply(rotate));
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
      expect(e.message).toContain('has not reached node node-b');
      expect(b.useCase.state()).toEqual(before);
      expect(b.settings.domainGeneration).toBe(1);
      // Once the key has arrived, the same proposal applies: the refusal did not spend its nonce.
      b.useCase.receive({
        requestId: 'r',
        keys: a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] }),
      });
      expect(b.useCase.apply(rotate).epoch).toBe(3);
    });

    it('should refuse with INVALID_STATE when the node holds a candidate of another value', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const rotate = approved(a, {
        kind: 'rotate-domain-key',
        generation: 2,
        origin: 'node-a',
        keyCheckValue,
      });
      expect(kmsError(() => b.useCase.apply(rotate)).code).toBe(ErrorCodes.INVALID_STATE);
      expect(stateOf(b).epoch).toBe(2);
    });

    it('should refuse with VALIDATION when a received package names a live generation', () => {
      a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [1] });
      const e = kmsError(() => b.useCase.receive({ requestId: 'r', keys }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('only the next generation (2) is received ahead, not 1');
      expect(b.hsm.hasDomainKey(2)).toBe(false);
    });

    it('should refuse with VALIDATION when a received package is not meant for the node', () => {
      a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      const e = kmsError(() => b.useCase.receive({ requestId: 'r', keys: { ...keys, from: 'node-b' } }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('node-b is not another member');
      expect(b.hsm.hasDomainKey(2)).toBe(false);
    });

    it('should replace its own candidate with the received key when the node prepared another value', () => {
      const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const own = b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      expect(own.keyCheckValue).not.toBe(fromA.keyCheckValue);
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      expect(b.useCase.receive({ requestId: 'r', keys }).generations).toEqual([2]);
      expect(b.hsm.domainKeyCheckValue(2)).toBe(fromA.keyCheckValue);
    });

    it('should keep its own candidate when a received key for it does not unwrap', () => {
      a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const own = b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      const forged = { ...keys, keys: [{ ...keys.keys[0]!, wrapped: toBase64(randomBytes(384)) }] };
      expect(kmsError(() => b.useCase.receive({ requestId: 'r', keys: forged })).code).toBe(
        ErrorCodes.VALIDATION,
      );
      // Nothing replaced it, so the candidate (which a pending proposal may name) must still be there.
      expect(b.hsm.hasDomainKey(2)).toBe(true);
      expect(b.hsm.domainKeyCheckValue(2)).toBe(own.keyCheckValue);
    });

    it('should make the key itself when the domain has one member and the rotation names no key', () => {
      const solo = genesisNode('node-s');
      const reply = solo.useCase.apply(approved(solo, { kind: 'rotate-domain-key', generation: 2 }));
      expect(reply.epoch).toBe(2);
      expect(solo.hsm.hasDomainKey(2)).toBe(true);
      expect(solo.settings.domainGeneration).toBe(2);
      expect(stateOf(solo).generations).toEqual([
        { generation: 1, state: 'retiring' },
        { generation: 2, state: 'active' },
      ]);
    });
  });

  describe('destroy-generation', () => {
    it('should destroy the generation key in every member token when the destruction is applied', () => {
      const { a, b } = twoMembers();
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      b.useCase.receive({
        requestId: 'r',
        keys: a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] }),
      });
      const rotate = approved(a, {
        kind: 'rotate-domain-key',
        generation: 2,
        origin: 'node-a',
        keyCheckValue,
      });
      a.useCase.apply(rotate);
      b.useCase.apply(rotate);
      const destroy = approved(a, { kind: 'destroy-generation', generation: 1 });
      a.useCase.apply(destroy);
      b.useCase.apply(destroy);
      for (const node of [a, b]) {
        expect(node.hsm.hasDomainKey(1)).toBe(false);
        expect(node.hsm.hasDomainKey(2)).toBe(true);
        expect(stateOf(node).generations[0]).toMatchObject({ generation: 1, state: 'destroyed' });
        expect(stateOf(node).epoch).toBe(4);
      }
      // A destroyed generation is no longer sent to anyone.
      expect(a.useCase.transport({ requestId: 't', to: 'node-b' }).keys.map((k) => k.generation)).toEqual([
        2,
      ]);
      expect(
        kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-b', generations: [1] })).code,
      ).toBe(ErrorCodes.VALIDATION);
    });
  });

  describe('remove-member', () => {
    it('should forget the member in the remaining token and destroy the keys in the removed one', () => {
      const { a, b } = twoMembers();
      const forget = jest.spyOn(a.hsm, 'forgetMember');
      const remove = approved(a, { kind: 'remove-member', nodeId: 'node-b' });
      a.useCase.apply(remove);
      b.useCase.apply(remove);
      // The trust in node-b's identity key (made by the transport to it) was dropped by the apply.
      expect(forget).toHaveBeenCalledWith('node-b');
      expect(forget).toHaveReturnedWith(true);
      expect(a.hsm.forgetMember('node-b')).toBe(false);
      expect(a.hsm.hasDomainKey(1)).toBe(true);
      expect(b.hsm.hasDomainKey(1)).toBe(false);
      expect(stateOf(a).members.map((m) => m.nodeId)).toEqual(['node-a']);
      // The removed node forgot its state as well, so that it can join a domain again.
      expect(b.useCase.state().state).toBeNull();
      expect(kmsError(() => a.useCase.transport({ requestId: 't', to: 'node-b' })).code).toBe(
        ErrorCodes.VALIDATION,
      );
    });
  });

  describe('apply', () => {
    it('should refuse with INVALID_STATE and keep its state when an add-member names a check value of another key', () => {
      const a = genesisNode('node-a');
      const before = stateOf(a);
      const e = kmsError(() =>
        a.useCase.apply(
          approved(a, {
            kind: 'add-member',
            member: memberOf(makeNode('node-b')),
            keyCheckValues: [{ generation: 1, keyCheckValue: 'f'.repeat(32) }],
          }),
        ),
      );
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
      expect(e.message).toContain(
        `generation 1 has check value ${a.hsm.domainKeyCheckValue(1)} in node node-a`,
      );
      expect(stateOf(a)).toEqual(before);
    });

    it('should refuse with INVALID_STATE when the node holds no domain state', () => {
      const a = genesisNode('node-a');
      const request = approved(a, { kind: 'add-member', member: memberOf(makeNode('node-b')) });
      expect(kmsError(() => makeNode('node-y').useCase.apply(request)).code).toBe(ErrorCodes.INVALID_STATE);
    });

    it('should refuse with QUORUM_REFUSED when a proposal is applied twice or has no signature', () => {
      const a = genesisNode('node-a');
      const request = approved(a, { kind: 'add-member', member: memberOf(makeNode('node-b')) });
      a.useCase.apply(request);
      const replay = kmsError(() => a.useCase.apply(request));
      expect(replay.code).toBe(ErrorCodes.QUORUM_REFUSED);
      expect(replay.message).toContain('REPLAYED');
      const unsigned = { ...approved(a, { kind: 'remove-member', nodeId: 'node-b' }), signatures: [] };
      const e = kmsError(() => a.useCase.apply(unsigned));
      expect(e.code).toBe(ErrorCodes.QUORUM_REFUSED);
      expect(e.message).toContain('QUORUM_NOT_MET');
      expect(stateOf(a).epoch).toBe(2);
    });
  });
});
