import { ErrorCodes, HsmActions, KmsError } from '@symbolon/contracts';
import { developmentDomain } from '@symbolon/quorum';
import type { DataSource } from 'typeorm';

import type { Clock } from '../clock.js';
import type { Rewrap } from '../jobs/rewrap.js';
import type { HsmRouter } from '../routing/hsm-router.js';
import { DomainChangesUseCase } from './domain-changes.use-case.js';
import type { DomainService } from './domain.service.js';

/** The relay's own decisions, with stand-ins for the members and the database (the nodes' checks are in e2e). */
const stand = <T>(o: object): T => o as unknown as T;

function relay(opts: { leftUnder: number }) {
  const state = developmentDomain('domain-1', [{ nodeId: 'hsm-1', tokenLabel: 't' }], {
    id: 'operator-1',
    publicKey: 'AAAA',
  });
  const sent: string[] = [];
  const published: { outcome: string }[] = [];
  const useCase = new DomainChangesUseCase(
    stand<DomainService>({ current: () => state, adopt: async () => undefined }),
    stand<HsmRouter>({
      callNode: async (_node: string, action: string) => {
        sent.push(action);
        return action === HsmActions.domainState
          ? { nodeId: 'hsm-1', state }
          : { nodeId: 'hsm-1', epoch: 2, signers: [] };
      },
    }),
    stand<DataSource>({ getRepository: () => ({ update: async () => ({ affected: 1 }) }) }),
    stand<{ publish: (e: { outcome: string }) => Promise<void> }>({
      publish: async (e: { outcome: string }) => void published.push(e),
    }),
    stand<Clock>({ now: () => new Date() }),
    stand<Rewrap>({ under: async () => opts.leftUnder, remaining: async () => 0 }),
  );
  return { useCase, sent, published };
}

const destroy = {
  requestId: 'r',
  proposal: {
    type: 'symbolon.domain-proposal.v1',
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
});
