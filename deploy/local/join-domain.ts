import { Subjects } from '@symbolon/contracts';
import { type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import { writeSecretFile } from '@symbolon/platform';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { completeChange } from '../../apps/cli/src/domain-commands.js';
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
      const change = await completeChange(
        { kind: 'add-member', member: { nodeId, tokenLabel: `symbolon-${nodeId}` } },
        state,
        domain.call,
      );
      const proposal = newProposal(state, change, { ttlMs: PROPOSAL_TTL_MS, now: new Date() });
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

/** Where the development hsm nodes find the operators they were installed to trust (SYMBOLON_HSM_OPERATORS_FILE). */
export function trustedOperatorsFile(dataDir: string): string {
  return join(dataDir, 'operators.json');
}

/**
 * Installs the development operator as the one the hsm nodes trust to approve their joining, once the coordinator has
 * made its key (at its first start); kept afterwards, as an installation would keep it.
 */
export function trustDevelopmentOperator(dataDir: string): void {
  const file = trustedOperatorsFile(dataDir);
  const keyFile = join(dataDir, `${DEV_OPERATOR}.key.pem`);
  if (existsSync(file) || !existsSync(keyFile)) return;
  const publicKey = createPublicKey(createPrivateKey(readFileSync(keyFile)))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  writeSecretFile(file, JSON.stringify([{ id: DEV_OPERATOR, publicKey }]));
}
