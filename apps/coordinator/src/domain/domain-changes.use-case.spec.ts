import { ErrorCodes, HsmActions, KmsError } from '@symbolon/contracts';
import { developmentDomain } from '@symbolon/quorum';
import type { DataSource } from 'typeorm';

import type { Clock } from '../clock.js';
import type { Rewrap } from '../jobs/rewrap.js';
import type { HsmRouter } from '../routing/hsm-router.js';
import type { NodeHealth } from '../routing/node-health.js';
import { DomainChangesUseCase } from './domain-changes.use-case.js';
import type { CustomKeyStores } from './custom-key-stores.js';
import { domainsOf } from './domain.test-helper.js';

/** The relay's own decisions, with stand-ins for the members and the database (the nodes' checks are in e2e). */
const stand = <T>(o: object): T => o as unknown as T;

function relay(opts: {
  unreachable?: string[];
  leftUnder: number;
  members?: string[];
  failJoin?: boolean;
  appliedBefore?: string[];
}) {
  const state = developmentDomain(
    'domain-1',
    (opts.members ?? ['hsm-1']).map((nodeId) => ({ nodeId, tokenLabel: 't' })),
    { id: 'operator-1', publicKey: 'AAAA' },
  );
  const sent: string[] = [];
  /** `<node> <action>` in the order the relay sent them, and `adopt` when the coordinator took the new state. */
  const steps: string[] = [];
  const heldBack: string[] = [];
  const published: { outcome: string }[] = [];
  const kept: { nonce: string; signatures: string }[] = [];
  /** Proposals by nonce, as the tests submit them (the rows `open` would have made). */
  const submitted = new Map<string, object>();
  const answer = async (node: string, action: string) => {
    sent.push(action);
    steps.push(`${node} ${action}`);
    if (action === HsmActions.domainJoin && opts.failJoin) {
      throw new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no responders');
    }
    if (opts.unreachable?.includes(node) && action === HsmActions.domainApply) {
      throw new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no responders');
    }
    if (action === HsmActions.domainTransport) return { from: node, keys: [] };
    if (action === HsmActions.domainApply && opts.appliedBefore?.includes(node)) {
      applied = true;
      throw new KmsError(ErrorCodes.QUORUM_REFUSED, 'REPLAYED: proposal nonce was already seen');
    }
    if (action === HsmActions.domainApply) applied = true;
    // After an apply, the members hold the next epoch.
    return action === HsmActions.domainState
      ? { nodeId: node, state: applied ? { ...state, epoch: state.epoch + 1 } : state }
      : { nodeId: node, epoch: 2, signers: [] };
  };
  let applied = false;
  const useCase = new DomainChangesUseCase(
    domainsOf([state], steps),
    stand<HsmRouter>({
      in: () => ({
        domainId: state.domainId,
        callNode: answer,
        members: () => state.members.map((m) => m.nodeId),
      }),
      callAnyNode: answer,
    }),
    stand<DataSource>({
      getRepository: () => ({
        // The proposal row `open` made takes the outcome and the signatures; `find` answers the rows kept.
        update: async (where: { nonce: string }, values: { signatures?: string }) => {
          if (values.signatures) kept.push({ nonce: where.nonce, signatures: values.signatures });
          return { affected: 1 };
        },
        find: async () =>
          kept.map((k) => ({ proposal: JSON.stringify(submitted.get(k.nonce)), signatures: k.signatures })),
      }),
    }),
    stand<{ publish: (e: { outcome: string }) => Promise<void> }>({
      publish: async (e: { outcome: string }) => void published.push(e),
    }),
    stand<Clock>({ now: () => new Date() }),
    stand<Rewrap>({ under: async () => opts.leftUnder, remaining: async () => 0 }),
    stand<NodeHealth>({
      isUp: () => true,
      holdBack: (n: string) => void heldBack.push(n),
      heldBack: () => heldBack,
    }),
    stand<CustomKeyStores>({ list: () => [] }),
  );
  const submit = (req: { requestId: string; proposal: { nonce: string }; signatures: unknown[] }) => {
    submitted.set(req.proposal.nonce, req.proposal);
    return useCase.submit(req as unknown as Parameters<typeof useCase.submit>[0]);
  };
  return { useCase, submit, sent, steps, heldBack, published };
}

const proposal = (change: object) => ({
  requestId: 'r',
  proposal: { type: 'symbolon.domain-proposal.v1', domainId: 'domain-1', epoch: 1, change, nonce: 'n' },
  signatures: [],
});

const destroy = {
  requestId: 'r',
  proposal: {
    type: 'symbolon.domain-proposal.v1',
    domainId: 'domain-1',
    change: { kind: 'destroy-generation', generation: 1 },
    nonce: 'n',
  },
  signatures: [],
};

describe('DomainChangesUseCase', () => {
  it('should refuse to relay a destroy-generation while live EKTs still need the generation', async () => {
    const { useCase, sent } = relay({ leftUnder: 5 });
    const e = await useCase.submit(destroy).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KmsError);
    expect((e as KmsError).code).toBe(ErrorCodes.VALIDATION);
    expect((e as KmsError).message).toMatch(/5 key versions are still wrapped under generation 1/);
    expect(sent).not.toContain(HsmActions.domainApply);
  });

  it('should relay a destroy-generation once no EKT needs the generation, and record it', async () => {
    const { useCase, sent, published } = relay({ leftUnder: 0 });
    expect(await useCase.submit(destroy)).toMatchObject({
      epoch: 2,
      members: [{ nodeId: 'hsm-1', epoch: 2 }],
    });
    expect(sent).toContain(HsmActions.domainApply);
    expect(published.map((p) => p.outcome)).toEqual(['ok']);
  });

  it('should hand the new key to every other member before any member applies a rotation', async () => {
    const { submit, steps } = relay({ leftUnder: 0, members: ['hsm-1', 'hsm-2', 'hsm-3'] });
    const kcv = '0'.repeat(32);
    await submit(proposal({ kind: 'rotate-domain-key', generation: 2, origin: 'hsm-2', keyCheckValue: kcv }));
    const relayed = steps.filter((s) => !s.endsWith(HsmActions.domainState));
    expect(relayed).toEqual([
      `hsm-2 ${HsmActions.domainTransport}`,
      `hsm-1 ${HsmActions.domainReceive}`,
      `hsm-2 ${HsmActions.domainTransport}`,
      `hsm-3 ${HsmActions.domainReceive}`,
      `hsm-1 ${HsmActions.domainApply}`,
      `hsm-2 ${HsmActions.domainApply}`,
      `hsm-3 ${HsmActions.domainApply}`,
      'adopt',
    ]);
  });

  it('should let a new member join with keys from a member before the coordinator routes to it', async () => {
    const { submit, steps } = relay({ leftUnder: 0 });
    await submit(
      proposal({
        kind: 'add-member',
        member: { nodeId: 'hsm-2', tokenLabel: 't2', identityPublicKey: 'AAAA' },
      }),
    );
    const relayed = steps.filter((s) => !s.endsWith(HsmActions.domainState));
    expect(relayed).toEqual([
      `hsm-1 ${HsmActions.domainApply}`,
      `hsm-1 ${HsmActions.domainTransport}`,
      `hsm-2 ${HsmActions.domainJoin}`,
      'adopt',
    ]);
  });

  it('should follow the members and hold the new node back when its join fails', async () => {
    const { submit, steps, heldBack } = relay({ leftUnder: 0, failJoin: true });
    await submit(
      proposal({
        kind: 'add-member',
        member: { nodeId: 'hsm-2', tokenLabel: 't2', identityPublicKey: 'AAAA' },
      }),
    );
    expect(steps.at(-1)).toBe('adopt');
    expect(heldBack).toEqual(['hsm-2']);
  });

  it('should hold a member being removed back and have it apply last, once every other member let it go', async () => {
    const { submit, steps, heldBack } = relay({ leftUnder: 0, members: ['hsm-1', 'hsm-2', 'hsm-3'] });
    await submit(proposal({ kind: 'remove-member', nodeId: 'hsm-1' }));
    expect(heldBack).toEqual(['hsm-1']);
    expect(steps.filter((s) => s.endsWith(HsmActions.domainApply))).toEqual([
      `hsm-2 ${HsmActions.domainApply}`,
      `hsm-3 ${HsmActions.domainApply}`,
      `hsm-1 ${HsmActions.domainApply}`,
    ]);
  });

  it('should count a member that already applied the proposal when a relay that stopped half way is submitted again', async () => {
    const { submit, steps } = relay({ leftUnder: 0, members: ['hsm-1', 'hsm-2'], appliedBefore: ['hsm-1'] });
    const r = await submit(proposal({ kind: 'destroy-generation', generation: 1 }));
    expect(r.members).toEqual([
      { nodeId: 'hsm-1', epoch: 2 },
      { nodeId: 'hsm-2', epoch: 2 },
    ]);
    expect(steps.at(-1)).toBe('adopt');
  });

  it('should remove a member that does not answer once every other member let it go', async () => {
    const { submit, steps } = relay({ leftUnder: 0, members: ['hsm-1', 'hsm-2'], unreachable: ['hsm-2'] });
    const r = await submit(proposal({ kind: 'remove-member', nodeId: 'hsm-2' }));
    expect(r.members).toEqual([{ nodeId: 'hsm-1', epoch: 2 }]);
    expect(steps.at(-1)).toBe('adopt');
  });

  it('should stop at a member that does not answer when it is not the one being removed', async () => {
    const { submit, steps } = relay({ leftUnder: 0, members: ['hsm-1', 'hsm-2'], unreachable: ['hsm-1'] });
    await expect(submit(proposal({ kind: 'remove-member', nodeId: 'hsm-2' }))).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_TIMEOUT,
    });
    expect(steps).not.toContain('adopt');
  });

  it('should refuse a proposal that names no domain of the coordinator, and relay nothing', async () => {
    const { submit, sent } = relay({ leftUnder: 0 });
    const other = proposal({ kind: 'destroy-generation', generation: 1 });
    await expect(
      submit({
        ...other,
        proposal: { ...other.proposal, domainId: 'cks-0123456789abcdef0' } as { nonce: string },
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.VALIDATION, message: /names no domain of this coordinator/ });
    expect(sent).toEqual([]);
  });
});
