import { jest } from '@jest/globals';
import {
  type DomainKeyPackage,
  ErrorCodes,
  type HsmDomainApplyRequest,
  type HsmDomainJoinRequest,
  type HsmDomainReceiveRequest,
  KmsError,
  toBase64,
} from '@symbolon/contracts';
import { signingBytes } from '@symbolon/evidence';
import { FakeHsm } from '@symbolon/pkcs11';
import {
  type DomainChange,
  type DomainState,
  type Member,
  type Operator,
  developmentDomain,
  newProposal,
  signProposal,
  thresholdRule,
} from '@symbolon/quorum';
import { type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NodeSettings } from '../token/hsm.tokens.js';
import { DomainStateStore } from './domain-state.store.js';
import { DomainUseCase } from './domain.use-case.js';

const DOMAIN_ID = 'domain-1';
const OPERATOR_ID = 'op-1';
const operatorKeys = generateKeyPairSync('ed25519');
const operator = operatorOf(OPERATOR_ID, operatorKeys.publicKey);
/** An operator no node was installed to trust. */
const evilKeys = generateKeyPairSync('ed25519');
const evil = operatorOf('evil', evilKeys.publicKey);

function operatorOf(id: string, publicKey: KeyObject): Operator {
  return { id, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

interface TestNode {
  id: string;
  hsm: FakeHsm;
  settings: NodeSettings;
  file: string;
  useCase: DomainUseCase;
  /** The state the add-member that made this node a member applied to (what a join sends). */
  before?: DomainState;
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

/** The node's use case as a new process would start it, over the same token and state file. */
function restarted(node: TestNode): { useCase: DomainUseCase; settings: NodeSettings } {
  const settings: NodeSettings = {
    nodeId: node.id,
    tokenLabel: node.settings.tokenLabel,
    domainGeneration: 0,
  };
  return {
    useCase: new DomainUseCase(new DomainStateStore(node.hsm, node.file), settings, node.hsm),
    settings,
  };
}

function memberOf(node: TestNode, withIdentity = true): Member {
  return {
    nodeId: node.id,
    tokenLabel: node.settings.tokenLabel,
    ...(withIdentity
      ? {
          identityPublicKey: node.useCase.state().identityPublicKey,
          signingPublicKey: node.useCase.state().signingPublicKey,
        }
      : {}),
  };
}

function stateOf(node: TestNode): DomainState {
  const state = node.useCase.state().state;
  if (state === null) throw new Error(`${node.id} holds no state`);
  return state as unknown as DomainState;
}

const asRecord = (state: DomainState): Record<string, unknown> => state as unknown as Record<string, unknown>;

/** Generation 1 made in the node's token for a new domain (as the hsm main does with SYMBOLON_HSM_CREATE_DOMAIN_KEY). */
function newDomainKey(node: TestNode): void {
  node.hsm.ensureDomainKey(1);
  node.hsm.markGenesisPending();
}

/** A node that made the domain: generation 1 in its token, a genesis of this node alone. */
function genesisNode(id: string): TestNode {
  const node = makeNode(id);
  newDomainKey(node);
  node.useCase.genesis({
    requestId: 'genesis',
    state: asRecord(developmentDomain(DOMAIN_ID, [memberOf(node)], operator)),
  });
  return node;
}

/** `change` to `state` (the one `node` holds by default), signed by `signers` (the development domain's operator). */
function approved(
  node: TestNode | DomainState,
  change: DomainChange,
  signers: [string, KeyObject][] = [[OPERATOR_ID, operatorKeys.privateKey]],
): HsmDomainApplyRequest {
  const state = 'domainId' in node ? node : stateOf(node);
  const proposal = newProposal(state, change, { ttlMs: 60_000, now: new Date() });
  return {
    requestId: 'apply',
    proposal: proposal as unknown as Record<string, unknown>,
    signatures: signers.map(([id, key]) => signProposal(proposal, id, key)),
  };
}

/** An add-member of `node` that names the check value of every live key `member` holds. */
function addMember(member: TestNode, node: TestNode): DomainChange {
  return {
    kind: 'add-member',
    member: memberOf(node),
    keyCheckValues: member.useCase.state().keyCheckValues,
  };
}

/** Member `a` applies an approved add-member of `b`; `b` keeps the state it applied to and the approval. */
function admit(a: TestNode, b: TestNode): void {
  const addition = approved(a, addMember(a, b));
  b.before = stateOf(a);
  a.useCase.apply(addition);
  b.approval = { proposal: addition.proposal, signatures: addition.signatures };
}

/** The join a relay sends `b`: the state its add-member applied to, that add-member approved, and `keys`. */
function joinRequest(
  b: TestNode,
  keys: DomainKeyPackage,
  state: DomainState = b.before!,
): HsmDomainJoinRequest {
  return { ...b.approval!, requestId: 'join', state: asRecord(state), keys };
}

/** Node A made the domain and applied add-member B; B has not joined yet. */
function addedNotJoined(): { a: TestNode; b: TestNode } {
  const a = genesisNode('node-a');
  const b = makeNode('node-b');
  admit(a, b);
  return { a, b };
}

/** Node A made the domain, B joined it with A's keys. */
function twoMembers(): { a: TestNode; b: TestNode } {
  const { a, b } = addedNotJoined();
  b.useCase.join(joinRequest(b, a.useCase.transport({ requestId: 'transport', to: b.id })));
  return { a, b };
}

/** The approved rotation of the state `a` holds to `keyCheckValue`, made ahead by `origin`. */
function rotation(a: TestNode, keyCheckValue: string, origin = 'node-a'): HsmDomainApplyRequest {
  return approved(a, { kind: 'rotate-domain-key', generation: nextOf(a), origin, keyCheckValue });
}

function nextOf(node: TestNode): number {
  return stateOf(node).generation + 1;
}

function receiveRequest(keys: DomainKeyPackage, rotate: HsmDomainApplyRequest): HsmDomainReceiveRequest {
  return { requestId: 'receive', keys, proposal: rotate.proposal, signatures: rotate.signatures };
}

/**
 * What anyone can make: a domain key of their own choosing, wrapped for `to`'s PUBLIC identity key, with its true
 * check value.
 */
function attackerKey(
  generation: number,
  to: TestNode,
): { entry: DomainKeyPackage['keys'][number]; keyCheckValue: string } {
  const own = new FakeHsm('attacker');
  own.ensureDomainKey(generation);
  const keyCheckValue = own.domainKeyCheckValue(generation);
  const wrapped = own.wrapDomainKeyForMember(generation, {
    nodeId: to.id,
    identityPublicKey: to.hsm.identityPublicKey(),
  });
  return { entry: { generation, wrapped: toBase64(wrapped), keyCheckValue }, keyCheckValue };
}

/** A trusted operators file (SYMBOLON_HSM_OPERATORS_FILE) naming `operators`. */
function operatorsFile(operators: Operator[]): string {
  const file = join(dir, `operators-${++files}.json`);
  writeFileSync(file, JSON.stringify(operators));
  return file;
}

/** A package signed with `sender`'s token signing key, as its transport signs one (for tests that change a package). */
function signedBy(
  sender: TestNode,
  pkg: Omit<DomainKeyPackage, 'signature'> & { signature?: string },
): DomainKeyPackage {
  const { signature: _old, ...body } = pkg;
  return { ...body, signature: toBase64(sender.hsm.sign(signingBytes(body))) };
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

describe('DomainUseCase', () => {
  describe('state', () => {
    it('should report the node, no state and the token identity key when no domain is installed', () => {
      const node = makeNode('node-a');
      expect(node.useCase.state()).toEqual({
        nodeId: 'node-a',
        tokenLabel: 'token-node-a',
        state: null,
        identityPublicKey: Buffer.from(node.hsm.identityPublicKey()).toString('base64'),
        signingPublicKey: Buffer.from(node.hsm.signingPublicKey()).toString('base64'),
        keyCheckValues: [],
      });
      expect(node.settings.member).toBe(false);
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
      expect(a.settings.member).toBe(true);
      expect(a.useCase.state().keyCheckValues).toEqual([
        { generation: 1, keyCheckValue: a.hsm.domainKeyCheckValue(1) },
      ]);
      const again = restarted(a);
      expect(again.useCase.state().state).toEqual(a.useCase.state().state);
      expect(again.settings).toMatchObject({ domainGeneration: 1, member: true });
    });

    it('should answer the held state when the same genesis comes twice, and ALREADY_EXISTS for another', () => {
      const a = genesisNode('node-a');
      const state = stateOf(a);
      expect(a.useCase.genesis({ requestId: 'g2', state: asRecord(state) }).state).toEqual(asRecord(state));
      const other = { ...state, domainId: 'domain-2' };
      expect(kmsError(() => a.useCase.genesis({ requestId: 'g3', state: asRecord(other) })).code).toBe(
        ErrorCodes.ALREADY_EXISTS,
      );
      expect(stateOf(a)).toEqual(state);
    });

    it('should accept the state when its operators are the ones of the trusted operators file', () => {
      const a = makeNode('node-a');
      newDomainKey(a);
      a.settings.operatorsFile = operatorsFile([operator]);
      const state = developmentDomain(DOMAIN_ID, [memberOf(a)], operator);
      expect(a.useCase.genesis({ requestId: 'g', state: asRecord(state) }).state).toEqual(asRecord(state));
    });

    describe('refusals', () => {
      let a: TestNode;

      beforeAll(() => {
        a = makeNode('node-a');
        newDomainKey(a);
      });

      afterEach(() => {
        delete a.settings.operatorsFile;
        // A refused genesis leaves the node without a state, and its key as it was.
        expect(a.useCase.state().state).toBeNull();
        expect(a.settings.member).toBe(false);
        expect(a.hsm.hasDomainKey(1)).toBe(true);
      });

      function refusal(state: DomainState): KmsError {
        const e = kmsError(() => a.useCase.genesis({ requestId: 'g', state: asRecord(state) }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        return e;
      }

      it('should refuse with VALIDATION when the state does not name this node or its epoch is not 1', () => {
        const other = developmentDomain(DOMAIN_ID, [{ nodeId: 'node-z', tokenLabel: 't' }], operator);
        expect(refusal(other).message).toContain('it does not name this node');
        const later = { ...developmentDomain(DOMAIN_ID, [memberOf(a)], operator), epoch: 2 };
        expect(refusal(later).message).toContain('a genesis state has epoch 1');
      });

      it('should refuse with VALIDATION when the state names another member besides this node', () => {
        const two = developmentDomain(
          DOMAIN_ID,
          [
            memberOf(a),
            { nodeId: 'node-z', tokenLabel: 't', identityPublicKey: memberOf(a).identityPublicKey! },
          ],
          operator,
        );
        expect(refusal(two).message).toContain('a genesis names this node alone');
      });

      it('should refuse with VALIDATION when the token holds the key but made it for no new domain', () => {
        // M1: a member whose state file was lost still holds its keys; a genesis must not take them.
        a.hsm.clearGenesisPending();
        try {
          const own = developmentDomain(DOMAIN_ID, [memberOf(a)], operator);
          expect(refusal(own).message).toContain('this token made no key of generation 1 for a new domain');
        } finally {
          a.hsm.markGenesisPending();
        }
      });

      it('should refuse with VALIDATION when the state records another check value for the generation', () => {
        const state = developmentDomain(DOMAIN_ID, [memberOf(a)], operator);
        state.generations[0]!.keyCheckValue = 'f'.repeat(32);
        expect(refusal(state).message).toContain('generation 1 has another check value in this token');
      });

      it('should refuse with VALIDATION when its rules let fewer than a majority of the trusted operators decide', () => {
        const second = operatorOf('second', generateKeyPairSync('ed25519').publicKey);
        const third = operatorOf('third', generateKeyPairSync('ed25519').publicKey);
        a.settings.operatorsFile = operatorsFile([operator, second, third]);
        const state = {
          ...developmentDomain(DOMAIN_ID, [memberOf(a)], operator),
          operators: [operator, second, third],
        };
        expect(refusal(state).message).toContain('rule needs fewer than 2 of the operators this node trusts');
      });

      it('should refuse with VALIDATION when the state names another identity key for this node', () => {
        const otherKey = makeNode('node-o').useCase.state().identityPublicKey;
        const swapped = developmentDomain(
          DOMAIN_ID,
          [{ ...memberOf(a), identityPublicKey: otherKey }],
          operator,
        );
        expect(refusal(swapped).message).toContain('it names another identity key for this node');
      });

      it('should refuse with VALIDATION when the state has no generation, or not exactly its one active one', () => {
        const base = developmentDomain(DOMAIN_ID, [memberOf(a)], operator);
        const none = { ...base, generations: [] };
        expect(refusal(none).message).toContain('a genesis has its one generation active');
        const two: DomainState = {
          ...base,
          generations: [
            { generation: 1, state: 'active' },
            { generation: 2, state: 'retiring' },
          ],
        };
        expect(refusal(two).message).toContain('a genesis has its one generation active');
        const retiring: DomainState = { ...base, generations: [{ generation: 1, state: 'retiring' }] };
        expect(refusal(retiring).message).toContain('a genesis has its one generation active');
        const elsewhere: DomainState = { ...base, generations: [{ generation: 2, state: 'active' }] };
        expect(refusal(elsewhere).message).toContain('a genesis has its one generation active');
      });

      it('should refuse with VALIDATION when the token made no key of the generation the state names', () => {
        const state: DomainState = {
          ...developmentDomain(DOMAIN_ID, [memberOf(a)], operator),
          generation: 3,
          generations: [{ generation: 3, state: 'active' }],
        };
        expect(refusal(state).message).toContain('this token made no key of generation 3');
      });

      it('should refuse with VALIDATION when its operators are not those of the trusted operators file', () => {
        a.settings.operatorsFile = operatorsFile([operator]);
        const state = developmentDomain(DOMAIN_ID, [memberOf(a)], evil);
        expect(refusal(state).message).toContain('its operators are not the ones this node trusts');
        const more = {
          ...developmentDomain(DOMAIN_ID, [memberOf(a)], operator),
          operators: [operator, evil],
        };
        expect(refusal(more).message).toContain('its operators are not the ones this node trusts');
      });
    });

    it('should refuse with VALIDATION a genesis sent to a node waiting to join, which can still join after', () => {
      const { a, b } = addedNotJoined();
      // The relay would rather make the node the genesis of a domain of its own operators.
      const own = developmentDomain('domain-evil', [memberOf(b)], evil);
      const e = kmsError(() => b.useCase.genesis({ requestId: 'g', state: asRecord(own) }));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('this token made no key of generation 1');
      expect(b.useCase.state().state).toBeNull();
      expect(b.hsm.hasDomainKey(1)).toBe(false);
      b.useCase.join(joinRequest(b, a.useCase.transport({ requestId: 't', to: 'node-b' })));
      expect(stateOf(b)).toEqual(stateOf(a));
    });

    it('should refuse with ALREADY_EXISTS a genesis sent to a node removed from its domain', () => {
      const { a, b } = twoMembers();
      const remove = approved(a, { kind: 'remove-member', nodeId: 'node-b' });
      a.useCase.apply(remove);
      b.useCase.apply(remove);
      b.hsm.ensureDomainKey(1);
      const own = developmentDomain('domain-2', [memberOf(b)], operator);
      expect(kmsError(() => b.useCase.genesis({ requestId: 'g', state: asRecord(own) })).code).toBe(
        ErrorCodes.ALREADY_EXISTS,
      );
      expect(stateOf(b)).toEqual(stateOf(a));
    });
  });

  describe('join', () => {
    it('should hold the same state and the same domain key as the member when that member sends the keys', () => {
      const { a, b } = addedNotJoined();
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      const reply = b.useCase.join(joinRequest(b, keys));
      expect(reply.nodeId).toBe('node-b');
      expect(reply.state).toEqual(a.useCase.state().state);
      expect(b.useCase.state().state).toEqual(a.useCase.state().state);
      expect(b.hsm.hasDomainKey(1)).toBe(true);
      expect(b.hsm.domainKeyCheckValue(1)).toBe(a.hsm.domainKeyCheckValue(1));
      expect(b.settings).toMatchObject({ domainGeneration: 1, member: true });
    });

    it('should decrypt in the joined token key material made in the member token when the node joined', () => {
      const { a, b } = twoMembers();
      expect(sharesKeys(a.hsm, b.hsm, 1)).toBe(true);
      expect(sharesKeys(b.hsm, a.hsm, 1)).toBe(true);
    });

    it('should keep the joined state across a restart when the state file is read again', () => {
      const { a, b } = twoMembers();
      const again = restarted(b);
      expect(again.useCase.state().state).toEqual(a.useCase.state().state);
      expect(again.settings).toMatchObject({ domainGeneration: 1, member: true });
    });

    it('should take every live generation with the check values the add-member signed', () => {
      const a = genesisNode('node-a');
      a.useCase.apply(approved(a, { kind: 'rotate-domain-key', generation: 2 }));
      const b = makeNode('node-b');
      admit(a, b);
      b.useCase.join(joinRequest(b, a.useCase.transport({ requestId: 't', to: 'node-b' })));
      expect(stateOf(b)).toEqual(stateOf(a));
      expect(b.useCase.state().keyCheckValues).toEqual(a.useCase.state().keyCheckValues);
      expect(b.settings.domainGeneration).toBe(2);
      expect(sharesKeys(a.hsm, b.hsm, 1)).toBe(true);
      expect(sharesKeys(a.hsm, b.hsm, 2)).toBe(true);
    });

    describe('refusals', () => {
      let a: TestNode;
      let b: TestNode;
      let state: DomainState;
      let keys: DomainKeyPackage;

      beforeAll(() => {
        ({ a, b } = addedNotJoined());
        state = b.before!;
        keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      });

      afterEach(() => {
        delete b.settings.operatorsFile;
        // A refused join leaves the node as it was: no state, no domain key.
        expect(b.useCase.state().state).toBeNull();
        expect(b.settings.member).toBeFalsy();
        for (const g of [1, 2]) expect(b.hsm.hasDomainKey(g)).toBe(false);
      });

      function refusal(s: DomainState, k: DomainKeyPackage | undefined): KmsError {
        return kmsError(() => b.useCase.join(joinRequest(b, k as DomainKeyPackage, s)));
      }

      it('should refuse with VALIDATION when the relay sends a before-state with an operator of its own', () => {
        // S1: an operator `evil` whom the rules let approve anything alone.
        const evilRule = thresholdRule(['evil'], 1);
        const forged: DomainState = {
          ...state,
          operators: [...state.operators, evil],
          rules: Object.fromEntries(
            Object.keys(state.rules).map((k) => [k, evilRule]),
          ) as DomainState['rules'],
        };
        const e = refusal(forged, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: STATE_MISMATCH');
      });

      it('should refuse with VALIDATION when the before-state has a live generation of the relay own key', () => {
        // S1: the relay makes a key, names it the active generation, and sends it with its true check value.
        const { entry } = attackerKey(2, b);
        const forged: DomainState = {
          ...state,
          generation: 2,
          generations: [
            { generation: 1, state: 'retiring' },
            { generation: 2, state: 'active' },
          ],
        };
        const e = refusal(forged, { ...keys, keys: [...keys.keys, entry] });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: STATE_MISMATCH');
      });

      it('should refuse with VALIDATION when a forged before-state comes with its own add-member signed by an operator not trusted', () => {
        const forged: DomainState = {
          ...state,
          operators: [evil],
          rules: Object.fromEntries(
            Object.keys(state.rules).map((k) => [k, thresholdRule(['evil'], 1)]),
          ) as DomainState['rules'],
        };
        const own = approved(forged, addMember(a, b), [['evil', evilKeys.privateKey]]);
        b.settings.operatorsFile = operatorsFile([operator]);
        const e = kmsError(() =>
          b.useCase.join({ ...own, requestId: 'j', state: asRecord(forged), keys: keys }),
        );
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: UNKNOWN_SIGNER');
      });

      it('should refuse with VALIDATION when a forged state lowers the rule below the trusted operators majority', () => {
        // H1: the node trusts op-1, evil and a third operator; a relayed state lets op-1 alone add members.
        const third = operatorOf('third', generateKeyPairSync('ed25519').publicKey);
        const forged: DomainState = {
          ...state,
          operators: [operator, evil, third],
          rules: Object.fromEntries(
            Object.keys(state.rules).map((k) => [k, thresholdRule([OPERATOR_ID], 1)]),
          ) as DomainState['rules'],
        };
        const own = approved(forged, addMember(a, b));
        b.settings.operatorsFile = operatorsFile([operator, evil, third]);
        const e = kmsError(() => b.useCase.join({ ...own, requestId: 'j', state: asRecord(forged), keys }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('not approved by the operators this node trusts (op-1)');
      });

      it('should refuse with VALIDATION when the trusted file names rules the signers do not meet', () => {
        const file = join(dir, `operators-${++files}.json`);
        writeFileSync(
          file,
          JSON.stringify({
            operators: [operator, evil],
            rules: Object.fromEntries(
              Object.keys(state.rules).map((k) => [k, thresholdRule([OPERATOR_ID, 'evil'], 2)]),
            ),
          }),
        );
        b.settings.operatorsFile = file;
        const e = refusal(state, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('not approved by the operators this node trusts');
      });

      it('should refuse with VALIDATION a package changed after the sending token signed it', () => {
        const e = refusal(state, {
          ...keys,
          keys: [{ ...keys.keys[0]!, wrapped: toBase64(randomBytes(384)) }],
        });
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('they are not signed by the token of node-a');
      });

      it('should refuse with VALIDATION when the relay sends the state after the add-member', () => {
        const e = refusal(stateOf(a), keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: STALE_EPOCH');
      });

      it('should refuse with VALIDATION when the before-state is not a domain state', () => {
        const e = refusal({ ...state, members: 'none' } as unknown as DomainState, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('not a domain state');
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
        const e = refusal(state, signedBy(a, { ...keys, keys: [] }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('no signed key for generation 1');
      });

      it('should refuse with VALIDATION when a generation appears twice in the package', () => {
        const e = refusal(state, signedBy(a, { ...keys, keys: [keys.keys[0]!, keys.keys[0]!] }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('a key entry is malformed or repeated');
      });

      it('should refuse with VALIDATION when a key entry is malformed', () => {
        const broken = { generation: 1, keyCheckValue: keys.keys[0]!.keyCheckValue } as never;
        const e = refusal(state, signedBy(a, { ...keys, keys: [broken] }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('a key entry is malformed or repeated');
      });

      it('should refuse with VALIDATION when the wrapped key is random bytes', () => {
        const forged = { ...keys.keys[0]!, wrapped: toBase64(randomBytes(384)) };
        const e = refusal(state, signedBy(a, { ...keys, keys: [forged] }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('does not unwrap here to check value');
      });

      it('should refuse with VALIDATION when the key is not the one whose check value the operators signed', () => {
        // Anyone can wrap a key of their own for B's public identity key and give its true check value.
        const { entry } = attackerKey(1, b);
        const e = refusal(state, signedBy(a, { ...keys, keys: [entry] }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain(`does not unwrap here to check value ${a.hsm.domainKeyCheckValue(1)}`);
      });

      it('should refuse with VALIDATION when the add-member is signed by an operator the node does not trust', () => {
        const stranger = generateKeyPairSync('ed25519').publicKey;
        b.settings.operatorsFile = operatorsFile([operatorOf(OPERATOR_ID, stranger)]);
        const e = refusal(state, keys);
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: BAD_SIGNATURE');
      });

      it('should refuse with INVALID_STATE when the trusted operators file cannot be read', () => {
        b.settings.operatorsFile = join(dir, 'missing-operators.json');
        expect(refusal(state, keys).code).toBe(ErrorCodes.INVALID_STATE);
      });

      it('should refuse with VALIDATION when the join comes without the approved add-member', () => {
        const e = kmsError(() =>
          b.useCase.join({ requestId: 'j', state: asRecord(state), keys, proposal: {}, signatures: [] }),
        );
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: MALFORMED');
      });

      it('should refuse with VALIDATION when the approved add-member was altered after it was signed', () => {
        const other = makeNode('node-x');
        const proposal = {
          ...b.approval!.proposal,
          change: {
            ...addMember(a, b),
            member: { ...memberOf(b), identityPublicKey: memberOf(other).identityPublicKey },
          },
        };
        const e = kmsError(() => b.useCase.join({ ...joinRequest(b, keys), proposal }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the add-member is not approved: BAD_SIGNATURE');
      });

      it('should refuse with VALIDATION when the approved change is not an add-member of this node', () => {
        for (const change of [
          { kind: 'set-rules', rules: state.rules } as DomainChange,
          addMember(a, makeNode('node-c')),
        ]) {
          const other = approved(state, change);
          const e = kmsError(() => b.useCase.join({ ...joinRequest(b, keys), ...other, requestId: 'j' }));
          expect(e.code).toBe(ErrorCodes.VALIDATION);
          expect(e.message).toContain('the proposal does not add this node');
        }
      });

      it('should refuse with VALIDATION when the approved add-member names another identity key', () => {
        const other = makeNode('node-x');
        const change = {
          ...addMember(a, b),
          member: { ...memberOf(b), identityPublicKey: memberOf(other).identityPublicKey },
        };
        const approval = approved(state, change as DomainChange);
        const e = kmsError(() => b.useCase.join({ ...joinRequest(b, keys), ...approval, requestId: 'j' }));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
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

    it('should keep no key of the first generation when the key of the second one is refused', () => {
      const a = genesisNode('node-a');
      a.useCase.apply(approved(a, { kind: 'rotate-domain-key', generation: 2 }));
      const b = makeNode('node-b');
      admit(a, b);
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      expect(keys.keys.map((k) => k.generation)).toEqual([1, 2]);
      const broken = signedBy(a, {
        ...keys,
        keys: [keys.keys[0]!, { ...keys.keys[1]!, wrapped: toBase64(randomBytes(384)) }],
      });
      const e = kmsError(() => b.useCase.join(joinRequest(b, broken)));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('the key of generation 2 does not unwrap');
      expect(b.hsm.hasDomainKey(1)).toBe(false);
      expect(b.hsm.hasDomainKey(2)).toBe(false);
      expect(b.useCase.state().state).toBeNull();
      // The same approval still lets it join: the refused attempt neither used it up nor left keys behind.
      b.useCase.join(joinRequest(b, keys));
      expect(stateOf(b)).toEqual(stateOf(a));
    });

    it('should answer the held state when the same join comes twice', () => {
      const { a, b } = addedNotJoined();
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      const first = b.useCase.join(joinRequest(b, keys));
      const second = b.useCase.join(joinRequest(b, keys));
      expect(second).toEqual(first);
      expect(second.state).toEqual(asRecord(stateOf(a)));
    });

    it('should refuse with ALREADY_EXISTS when a node that joined is asked to join another state', () => {
      const { a, b } = twoMembers();
      const before = b.useCase.state();
      const other = { ...b.before!, epoch: b.before!.epoch + 1 };
      const e = kmsError(() =>
        b.useCase.join(joinRequest(b, a.useCase.transport({ requestId: 't', to: 'node-b' }), other)),
      );
      expect(e.code).toBe(ErrorCodes.ALREADY_EXISTS);
      expect(e.message).toContain('already holds a domain state');
      expect(b.useCase.state()).toEqual(before);
    });

    it('should refuse with ALREADY_EXISTS when a node that joined is asked to join by an add-member to another state', () => {
      const { a, b } = twoMembers();
      const before = b.useCase.state();
      const c = genesisNode('node-c');
      admit(c, b);
      const e = kmsError(() =>
        b.useCase.join(joinRequest(b, c.useCase.transport({ requestId: 't', to: 'node-b' }))),
      );
      expect(e.code).toBe(ErrorCodes.ALREADY_EXISTS);
      expect(b.useCase.state()).toEqual(before);
      expect(stateOf(b)).toEqual(stateOf(a));
    });

    it('should refuse the original add-member and accept a fresh one when the node was removed', () => {
      // S5: a removed node keeps its last state and nonces, so the join that first admitted it cannot be replayed.
      const { a, b } = addedNotJoined();
      const original = joinRequest(b, a.useCase.transport({ requestId: 't', to: 'node-b' }));
      b.useCase.join(original);
      const remove = approved(a, { kind: 'remove-member', nodeId: 'node-b' });
      a.useCase.apply(remove);
      b.useCase.apply(remove);
      const left = stateOf(b);
      const replay = kmsError(() => b.useCase.join(original));
      expect(replay.code).toBe(ErrorCodes.VALIDATION);
      expect(replay.message).toMatch(/REPLAYED|left the domain/);
      expect(stateOf(b)).toEqual(left);
      expect(b.hsm.hasDomainKey(1)).toBe(false);
      expect(b.settings.member).toBe(false);

      // H2: a relay's own domain (same id and epoch, its operator alone) does not win the node back: its held state's
      // operators and rule must approve too.
      const forged: DomainState = {
        ...stateOf(a),
        operators: [evil],
        rules: Object.fromEntries(
          Object.keys(stateOf(a).rules).map((k) => [k, thresholdRule(['evil'], 1)]),
        ) as DomainState['rules'],
      };
      const own = approved(forged, addMember(a, b), [['evil', evilKeys.privateKey]]);
      const taken = kmsError(() =>
        b.useCase.join({
          ...own,
          requestId: 'j',
          state: asRecord(forged),
          keys: original.keys,
        }),
      );
      expect(taken.message).toContain('not approved under the rule of the state this node held');
      expect(stateOf(b)).toEqual(left);

      admit(a, b);
      const reply = b.useCase.join(joinRequest(b, a.useCase.transport({ requestId: 't', to: 'node-b' })));
      expect(reply.state).toEqual(asRecord(stateOf(a)));
      expect(stateOf(b).epoch).toBe(4);
      expect(b.settings.member).toBe(true);
      expect(sharesKeys(a.hsm, b.hsm, 1)).toBe(true);
    });
  });

  describe('transport', () => {
    let a: TestNode;

    beforeAll(() => {
      a = genesisNode('node-a');
      admit(a, makeNode('node-b'));
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
      // A state kept from before members had to name identity keys (no change can make one now).
      const old = makeNode('node-o');
      newDomainKey(old);
      const state = developmentDomain(
        DOMAIN_ID,
        [memberOf(old), { nodeId: 'node-c', tokenLabel: 't' }],
        operator,
      );
      new DomainStateStore(old.hsm, old.file).save({ state, nonces: [] });
      const e = kmsError(() => restarted(old).useCase.transport({ requestId: 't', to: 'node-c' }));
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

    it('should refuse with INVALID_STATE to prepare a key when the token cannot trust members', () => {
      jest.spyOn(a.hsm, 'canTrustMembers').mockReturnValue(false);
      const e = kmsError(() => a.useCase.prepareRotation({ requestId: 'p', generation: 2 }));
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
      expect(e.message).toContain('no usable security officer PIN');
      expect(a.hsm.hasDomainKey(2)).toBe(false);
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
      const rotate = rotation(a, keyCheckValue);
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      expect(b.useCase.receive(receiveRequest(keys, rotate))).toEqual({ nodeId: 'node-b', generations: [2] });
      expect(a.useCase.apply(rotate)).toEqual({ nodeId: 'node-a', epoch: 3, signers: [OPERATOR_ID] });
      // receive did not use the nonce up: the same proposal applies in the node that received the key.
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
      const rotate = rotation(a, keyCheckValue);
      const before = b.useCase.state();
      const e = kmsError(() => b.useCase.apply(rotate));
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
      expect(e.message).toContain('has not reached node node-b');
      expect(b.useCase.state()).toEqual(before);
      expect(b.settings.domainGeneration).toBe(1);
      // Once the key has arrived, the same proposal applies: the refusal did not spend its nonce.
      b.useCase.receive(
        receiveRequest(a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] }), rotate),
      );
      expect(b.useCase.apply(rotate).epoch).toBe(3);
    });

    it('should refuse with INVALID_STATE when the node holds a candidate of another value', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      expect(kmsError(() => b.useCase.apply(rotation(a, keyCheckValue))).code).toBe(ErrorCodes.INVALID_STATE);
      expect(stateOf(b).epoch).toBe(2);
    });

    it('should refuse with VALIDATION when a received package lacks the generation the rotation makes', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [1] });
      const e = kmsError(() => b.useCase.receive(receiveRequest(keys, rotation(a, keyCheckValue))));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('no key of generation 2');
      expect(b.hsm.hasDomainKey(2)).toBe(false);
    });

    it('should refuse with VALIDATION when a received package is not meant for the node', () => {
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const rotate = rotation(a, keyCheckValue);
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      const fromItself = kmsError(() =>
        b.useCase.receive(receiveRequest({ ...keys, from: 'node-b' }, rotate)),
      );
      expect(fromItself.code).toBe(ErrorCodes.VALIDATION);
      expect(fromItself.message).toContain('the key comes from node-b, not from the origin');
      const forOther = kmsError(() => b.useCase.receive(receiveRequest({ ...keys, to: 'node-c' }, rotate)));
      expect(forOther.code).toBe(ErrorCodes.VALIDATION);
      expect(forOther.message).toContain('they are for another node');
      expect(b.hsm.hasDomainKey(2)).toBe(false);
    });

    it('should refuse with VALIDATION a key received for a change that is not a rotation naming one', () => {
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b' });
      const other = approved(a, { kind: 'set-rules', rules: stateOf(a).rules });
      const e = kmsError(() => b.useCase.receive(receiveRequest(keys, other)));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      expect(e.message).toContain('only for a rotation that names one');
    });

    it('should replace its own candidate with the received key when the node prepared another value', () => {
      const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const own = b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      expect(own.keyCheckValue).not.toBe(fromA.keyCheckValue);
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      expect(b.useCase.receive(receiveRequest(keys, rotation(a, fromA.keyCheckValue))).generations).toEqual([
        2,
      ]);
      expect(b.hsm.domainKeyCheckValue(2)).toBe(fromA.keyCheckValue);
    });

    it('should keep its own candidate when a received key for it does not unwrap', () => {
      const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const own = b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const keys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
      const forged = { ...keys, keys: [{ ...keys.keys[0]!, wrapped: toBase64(randomBytes(384)) }] };
      const e = kmsError(() => b.useCase.receive(receiveRequest(forged, rotation(a, fromA.keyCheckValue))));
      expect(e.code).toBe(ErrorCodes.VALIDATION);
      // Nothing replaced it, so the candidate (which a pending proposal may name) must still be there.
      expect(b.hsm.hasDomainKey(2)).toBe(true);
      expect(b.hsm.domainKeyCheckValue(2)).toBe(own.keyCheckValue);
    });

    describe('a key of the relay own (S2)', () => {
      let own: string;
      let attacker: { entry: DomainKeyPackage['keys'][number]; keyCheckValue: string };
      let keys: DomainKeyPackage;

      beforeEach(() => {
        own = b.useCase.prepareRotation({ requestId: 'p', generation: 2 }).keyCheckValue;
        attacker = attackerKey(2, b);
        // As a member would send it: from node-a, for node-b, with the key's true check value.
        // Signed as node-a's token would sign (to reach the checks after the signature; unsigned, see below).
        keys = signedBy(a, {
          domainId: DOMAIN_ID,
          epoch: 2,
          from: 'node-a',
          to: 'node-b',
          keys: [attacker.entry],
        });
      });

      afterEach(() => {
        // The node's own candidate survives, and a later prepareRotation names it, never the relay's key.
        expect(b.hsm.domainKeyCheckValue(2)).toBe(own);
        expect(b.useCase.prepareRotation({ requestId: 'p', generation: 2 }).keyCheckValue).toBe(own);
        expect(stateOf(b).epoch).toBe(2);
      });

      it('should refuse with QUORUM_REFUSED when no approved rotation comes with it', () => {
        const e = kmsError(() => b.useCase.receive({ requestId: 'r', keys, proposal: {}, signatures: [] }));
        expect(e.code).toBe(ErrorCodes.QUORUM_REFUSED);
        expect(e.message).toContain('MALFORMED');
      });

      it('should refuse with QUORUM_REFUSED when the rotation naming it is signed by an unknown operator', () => {
        const rotate = approved(
          b,
          {
            kind: 'rotate-domain-key',
            generation: 2,
            origin: 'node-a',
            keyCheckValue: attacker.keyCheckValue,
          },
          [['evil', evilKeys.privateKey]],
        );
        const e = kmsError(() => b.useCase.receive(receiveRequest(keys, rotate)));
        expect(e.code).toBe(ErrorCodes.QUORUM_REFUSED);
        expect(e.message).toContain('UNKNOWN_SIGNER');
      });

      it('should refuse with VALIDATION the relay own key when no member token signed the package', () => {
        const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
        const unsigned = { ...keys, signature: Buffer.alloc(64).toString('base64') };
        const e = kmsError(() =>
          b.useCase.receive(receiveRequest(unsigned, rotation(a, attacker.keyCheckValue))),
        );
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('they are not signed by the token of node-a');
        expect(fromA.keyCheckValue).not.toBe(attacker.keyCheckValue);
      });

      it('should refuse with VALIDATION when the approved rotation names another check value', () => {
        const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
        const e = kmsError(() => b.useCase.receive(receiveRequest(keys, rotation(a, fromA.keyCheckValue))));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain(`does not unwrap here to check value ${fromA.keyCheckValue}`);
      });

      it('should refuse with VALIDATION when the key does not come from the origin the rotation names', () => {
        // The operators approved node-b's own candidate; node-a sends a key of its own for it.
        const fromA = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
        const fromAKeys = a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] });
        expect(fromAKeys.keys[0]!.keyCheckValue).toBe(fromA.keyCheckValue);
        const e = kmsError(() => b.useCase.receive(receiveRequest(fromAKeys, rotation(a, own, 'node-b'))));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toContain('the key comes from node-a, not from the origin');
      });
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

    it('should make a fresh key when the domain has one member and holds a candidate the rotation does not name', () => {
      const solo = genesisNode('node-s');
      const candidate = solo.useCase.prepareRotation({ requestId: 'p', generation: 2 }).keyCheckValue;
      solo.useCase.apply(approved(solo, { kind: 'rotate-domain-key', generation: 2 }));
      expect(solo.hsm.hasDomainKey(2)).toBe(true);
      expect(solo.hsm.domainKeyCheckValue(2)).not.toBe(candidate);
    });
  });

  describe('destroy-generation', () => {
    it('should destroy the generation key in every member token when the destruction is applied', () => {
      const { a, b } = twoMembers();
      const { keyCheckValue } = a.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const rotate = rotation(a, keyCheckValue);
      b.useCase.receive(
        receiveRequest(a.useCase.transport({ requestId: 't', to: 'node-b', generations: [2] }), rotate),
      );
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
      b.useCase.prepareRotation({ requestId: 'p', generation: 2 });
      const forget = jest.spyOn(a.hsm, 'forgetMember');
      const remove = approved(a, { kind: 'remove-member', nodeId: 'node-b' });
      a.useCase.apply(remove);
      b.useCase.apply(remove);
      // The trust in node-b's identity key (made by the transport to it) was dropped by the apply.
      expect(forget).toHaveBeenCalledWith('node-b');
      expect(forget).toHaveReturnedWith(true);
      expect(a.hsm.forgetMember('node-b')).toBe(false);
      expect(a.hsm.hasDomainKey(1)).toBe(true);
      // Every generation and the candidate made ahead of a rotation are gone from the removed token.
      expect(b.hsm.hasDomainKey(1)).toBe(false);
      expect(b.hsm.hasDomainKey(2)).toBe(false);
      expect(b.useCase.state().keyCheckValues).toEqual([]);
      expect(stateOf(a).members.map((m) => m.nodeId)).toEqual(['node-a']);
      // The removed node keeps its last state (which no longer names it), and is no longer a member.
      expect(stateOf(b)).toEqual(stateOf(a));
      expect(a.settings.member).toBe(true);
      expect(b.settings.member).toBe(false);
      expect(restarted(b).settings.member).toBe(false);
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

    it('should refuse with QUORUM_REFUSED when an add-member names no check value of a live generation', () => {
      const a = genesisNode('node-a');
      const e = kmsError(() =>
        a.useCase.apply(approved(a, { kind: 'add-member', member: memberOf(makeNode('node-b')) })),
      );
      expect(e.code).toBe(ErrorCodes.QUORUM_REFUSED);
      expect(e.message).toContain('INVALID_CHANGE');
      expect(stateOf(a).epoch).toBe(1);
    });

    it('should refuse with QUORUM_REFUSED when the proposal was made for another state of the same epoch', () => {
      const a = genesisNode('node-a');
      const other = { ...stateOf(a), operators: [operator, evil] };
      const e = kmsError(() => a.useCase.apply(approved(other, { kind: 'remove-member', nodeId: 'node-z' })));
      expect(e.code).toBe(ErrorCodes.QUORUM_REFUSED);
      expect(e.message).toContain('STATE_MISMATCH');
      expect(stateOf(a).epoch).toBe(1);
    });

    it('should refuse with INVALID_STATE when the node holds no domain state', () => {
      const a = genesisNode('node-a');
      const request = approved(a, addMember(a, makeNode('node-b')));
      expect(kmsError(() => makeNode('node-y').useCase.apply(request)).code).toBe(ErrorCodes.INVALID_STATE);
    });

    it('should refuse with QUORUM_REFUSED when a proposal is applied twice or has no signature', () => {
      const a = genesisNode('node-a');
      const request = approved(a, addMember(a, makeNode('node-b')));
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
