import { type CustomKeyStoreDto, Subjects } from '@symbolon/contracts';
import { type DomainChange, type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import { writeSecretFile } from '@symbolon/platform';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { completeChange } from '../../apps/cli/src/domain-commands.js';
import { lazyDomainCall } from '../../apps/cli/src/nats-client.js';

/** The development operator of a domain `npm start` made (a 1-of-1 rule for every change). */
const DEV_OPERATOR = 'operator-1';
const PROPOSAL_TTL_MS = 10 * 60 * 1000;

/**
 * Brings the hsm nodes of one domain of the development platform (by name) into it the way operators would: for each node that is
 * not a member yet, an add-member proposal naming the identity key its token reports, signed with the development
 * operator's key (dataDir/operator-1.key.pem) and submitted through the coordinator, which has a member wrap the domain
 * keys for the new token and the new node join. A domain an operator has taken over (other operators, an open
 * proposal) is left alone, with a line in the log.
 */
export async function joinDomain(
  dataDir: string,
  domainName: string,
  nodes: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  if (nodes.length < 2) return;
  for (const nodeId of nodes) {
    const joined = await approveAsDevelopmentOperator(
      dataDir,
      (state) =>
        state.members.some((m) => m.nodeId === nodeId)
          ? undefined
          : { kind: 'add-member', member: { nodeId, tokenLabel: `symbolon-${nodeId}` } },
      domainName,
    );
    if (joined === 'not-development') {
      log(`${nodeId} is not a member of the domain, whose operators are not the development one: not joined`);
      return;
    }
    if (joined) log(`${nodeId} joined domain ${joined.domainId}`);
  }
}

/**
 * One change the way operators make it with the CLI (`domain propose`, which completes the change, then sign and
 * submit), signed with the development operator's key: `change` gets the current state and answers the change, or
 * undefined for none. Answers the state the change applied to, undefined when there was nothing to do, or
 * 'not-development' when the domain's operators are no longer the development one. For the launcher, tests and the
 * bench.
 */
export async function approveAsDevelopmentOperator(
  dataDir: string,
  change: (state: DomainState) => DomainChange | undefined,
  domainName?: string,
): Promise<DomainState | undefined | 'not-development'> {
  // What `symbolon domain` does, as the operators' NATS user.
  const domain = lazyDomainCall({ runtimeFile: join(dataDir, 'runtime.json') });
  try {
    const status = (await domain.call(Subjects.domain.status, {})) as {
      state: DomainState;
      domains: CustomKeyStoreDto[];
    };
    const named = status.domains.find((d) => d.customKeyStoreName === domainName);
    if (domainName !== undefined && !named)
      throw new Error(`the coordinator serves no domain named ${domainName}`);
    const { state } =
      named && named.customKeyStoreId !== status.state.domainId
        ? ((await domain.call(Subjects.domain.status, { domainId: named.customKeyStoreId })) as {
            state: DomainState;
          })
        : status;
    const wanted = change(state);
    if (wanted === undefined) return undefined;
    if (state.operators.length !== 1 || state.operators[0]!.id !== DEV_OPERATOR) return 'not-development';
    const complete = await completeChange(wanted, state, domain.call);
    const proposal = newProposal(state, complete, { ttlMs: PROPOSAL_TTL_MS, now: new Date() });
    const key = createPrivateKey(readFileSync(join(dataDir, `${DEV_OPERATOR}.key.pem`)));
    await domain.call(Subjects.domain.open, { proposal });
    await domain.call(Subjects.domain.submit, {
      proposal,
      signatures: [signProposal(proposal, DEV_OPERATOR, key)],
    });
    return state;
  } finally {
    await domain.close();
  }
}

/**
 * Waits (30 s at most) until no member of any domain is held back: each holds its domain's state and the active key,
 * so a key placed in any domain can be made as soon as the launcher prints the endpoint. A member still held back after
 * that is named in the log; the platform serves the others.
 */
export async function waitForDomains(dataDir: string, log: (line: string) => void): Promise<void> {
  const domain = lazyDomainCall({ runtimeFile: join(dataDir, 'runtime.json') });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { domains } = (await domain.call(Subjects.domain.status, {})) as { domains: CustomKeyStoreDto[] };
      const held: string[] = [];
      for (const d of domains) {
        const { heldBack } = (await domain.call(Subjects.domain.status, {
          domainId: d.customKeyStoreId,
        })) as {
          heldBack: string[];
        };
        held.push(...heldBack);
      }
      if (held.length === 0) return;
      if (Date.now() > deadline) {
        log(`not serving yet: ${held.join(', ')} (see their logs)`);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
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
 * The development operator, made before the services start (kept afterwards): its key is where the coordinator takes
 * it for the development domain (SYMBOLON_OPERATOR_KEY_FILE), and its public key where the hsm nodes find the
 * operators they were installed to trust, so that even the first state is checked against it.
 */
export function trustDevelopmentOperator(dataDir: string): void {
  const keyFile = join(dataDir, `${DEV_OPERATOR}.key.pem`);
  if (!existsSync(keyFile)) {
    writeSecretFile(
      keyFile,
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    );
  }
  const file = trustedOperatorsFile(dataDir);
  if (existsSync(file)) return;
  const publicKey = createPublicKey(createPrivateKey(readFileSync(keyFile)))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  writeSecretFile(file, JSON.stringify([{ id: DEV_OPERATOR, publicKey }]));
}
