/**
 * Tests only (excluded from the build): a DomainService over states held in memory, the first the default domain.
 * `adopt` replaces a domain's state, as the real one does after a change every member applied.
 */
import { ErrorCodes, KmsError } from '@symbolon/contracts';
import type { DomainState } from '@symbolon/quorum';

import type { Domain, DomainService } from './domain.service.js';

export function domainsOf(states: DomainState[], steps: string[] = []): DomainService {
  const domains = new Map<string, Domain>(
    states.map((state, i) => [
      state.domainId,
      {
        domainId: state.domainId,
        name: i === 0 ? 'default' : `domain-${i + 1}`,
        labels: {},
        isDefault: i === 0,
        createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        state,
      },
    ]),
  );
  const get = (domainId: string): Domain => {
    const d = domains.get(domainId);
    if (!d)
      throw new KmsError(ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND, `no custom key store has id ${domainId}`);
    return d;
  };
  const fake = {
    onModuleInit: async () => undefined,
    adopt: async (next: DomainState) => {
      steps.push('adopt');
      get(next.domainId).state = next;
    },
    amendGenesis: async (domainId: string) => get(domainId).state,
    stateAt: async (domainId: string) => get(domainId).state,
    current: (domainId: string) => get(domainId).state,
    get,
    find: (domainId: string) => domains.get(domainId),
    defaultId: () => states[0]!.domainId,
    all: () => [...domains.values()],
    domainOf: (nodeId: string) =>
      [...domains.values()].find((d) => d.state.members.some((m) => m.nodeId === nodeId))?.domainId,
  };
  return fake as unknown as DomainService;
}
