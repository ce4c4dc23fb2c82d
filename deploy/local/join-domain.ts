import { type NodeIdentityReply, Subjects } from '@symbolon/contracts';
import { type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { lazyDomainCall } from '../../apps/cli/src/nats-client.js';

/** The development operator of a domain `npm start` made (a 1-of-1 rule for every change). */
const DEV_OPERATOR = 'operator-1';
const PROPOSAL_TTL_MS = 10 * 60 * 1000;

/**
 * Brings every hsm node of the development platform into its domain the way operators would: for each node that is
 * not a member yet, an add-member proposal naming the identity key its token reports, signed with the development
 * operator's key (dataDir/operator-1.key.pem) and submitted through the coordinator, which has a member wrap the domain
 * keys for the new token and the new node join. A domain an operator has taken over (other operators, an open
 * proposal) is left alone, with a line in the log.
 */
export async function joinDomain(
  dataDir: string,
  nodes: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  if (nodes.length < 2) return;
  // What `symbolon domain` does, as the operators' NATS user.
  const domain = lazyDomainCall({ runtimeFile: join(dataDir, 'runtime.json') });
  try {
    const call = async <T>(subject: string, payload: Record<string, unknown>): Promise<T> =>
      (await domain.call(subject, payload)) as T;
    for (const nodeId of nodes) {
      const { state } = await call<{ state: DomainState }>(Subjects.domain.status, {});
      if (state.members.some((m) => m.nodeId === nodeId)) continue;
      if (state.operators.length !== 1 || state.operators[0]!.id !== DEV_OPERATOR) {
        log(
          `${nodeId} is not a member of the domain, whose operators are not the development one: not joined`,
        );
        return;
      }
      const identity = await call<NodeIdentityReply>(Subjects.domain.nodeIdentity, { nodeId });
      const proposal = newProposal(
        state,
        {
          kind: 'add-member',
          member: { nodeId, tokenLabel: identity.tokenLabel, identityPublicKey: identity.identityPublicKey },
        },
        { ttlMs: PROPOSAL_TTL_MS, now: new Date() },
      );
      const key = createPrivateKey(readFileSync(join(dataDir, `${DEV_OPERATOR}.key.pem`)));
      await call(Subjects.domain.open, { proposal });
      await call(Subjects.domain.submit, {
        proposal,
        signatures: [signProposal(proposal, DEV_OPERATOR, key)],
      });
      log(`${nodeId} joined domain ${state.domainId}`);
    }
  } finally {
    await domain.close();
  }
}
