import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { logger, writeSecretFile } from '@symbolon/platform';
import {
  type DomainState,
  type LegacyDomainState,
  developmentDomain,
  upgradeDomainState,
} from '@symbolon/quorum';
import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { DATA_SOURCE } from '../tokens.js';
import { type DomainPlan, domainPlans } from './domain-plan.js';
import { DomainEntity, DomainStateEntity } from './domain.entity.js';

/** A domain as the coordinator serves it: where keys are placed (name, labels) and its current state. */
export interface Domain {
  domainId: string;
  name: string;
  labels: Record<string, string>;
  isDefault: boolean;
  createdAt: Date;
  state: DomainState;
}

/**
 * Holds every domain and its current state. On a start that finds a planned domain (SYMBOLON_DOMAINS, or the one of
 * SYMBOLON_HSM_NODES) not made yet, it makes it: its one genesis token and the development operator, whose Ed25519
 * key is the installation's (SYMBOLON_OPERATOR_KEY_FILE) or made here and written there (0600), with a 1-of-1 rule
 * for every change. The first domain made is the default: keys created without a CustomKeyStoreId go there.
 */
@Injectable()
export class DomainService implements OnModuleInit {
  private readonly domains = new Map<string, Domain>();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const plans = domainPlans(this.config);
    for (const row of await this.ds.getRepository(DomainEntity).find({ order: { createdAt: 'ASC' } })) {
      const latest = await this.ds
        .getRepository(DomainStateEntity)
        .find({ where: { domainId: row.domainId }, order: { epoch: 'DESC' }, take: 1 });
      if (!latest[0]) throw new Error(`domain ${row.domainId} has no state`);
      this.domains.set(row.domainId, {
        domainId: row.domainId,
        name: row.name,
        labels: JSON.parse(row.labels) as Record<string, string>,
        isDefault: row.isDefault,
        createdAt: new Date(row.createdAt),
        state: upgradeDomainState(JSON.parse(latest[0].state) as DomainState | LegacyDomainState),
      });
    }
    for (const plan of plans) {
      if ([...this.domains.values()].some((d) => d.name === plan.name)) continue;
      await this.make(plan);
    }
  }

  /** A planned domain made now: its row and first state in one transaction, then the operator key kept. */
  private async make(plan: DomainPlan): Promise<void> {
    const taken = this.domainOf(plan.node);
    if (taken)
      throw new Error(`hsm node ${plan.node} is a member of domain ${taken} already: not in ${plan.name}`);
    const keyFile = this.config.SYMBOLON_OPERATOR_KEY_FILE;
    // An operator key the installation made (the hsm nodes were told to trust it) is used; else one is made here.
    const given = keyFile && existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined;
    const operatorKey = given ? createPrivateKey(given) : generateKeyPairSync('ed25519').privateKey;
    const domainId = `cks-${randomBytes(9).toString('hex').slice(0, 17)}`;
    const state = developmentDomain(domainId, [{ nodeId: plan.node, tokenLabel: plan.tokenLabel }], {
      id: 'operator-1',
      publicKey: createPublicKey(operatorKey).export({ type: 'spki', format: 'der' }).toString('base64'),
    });
    const domain: Domain = {
      domainId,
      name: plan.name,
      labels: plan.labels,
      isDefault: this.domains.size === 0,
      createdAt: new Date(),
      state,
    };
    // The rows first: if they fail, the next start makes a new domain and a new key, never a key without its domain.
    await this.ds.transaction(async (m) => {
      await m.getRepository(DomainEntity).insert({
        domainId,
        name: domain.name,
        labels: JSON.stringify(domain.labels),
        isDefault: domain.isDefault,
        createdAt: domain.createdAt,
      });
      await m.getRepository(DomainStateEntity).insert({
        domainId,
        epoch: state.epoch,
        state: JSON.stringify(state),
        createdAt: domain.createdAt,
      });
    });
    if (!keyFile) logger.warn('SYMBOLON_OPERATOR_KEY_FILE not set: the development operator key is not kept');
    else if (given === undefined) writeSecretFile(keyFile, pem(operatorKey));
    this.domains.set(domainId, domain);
    logger.info({ domainId, name: plan.name, node: plan.node }, 'development domain created');
  }

  /** A state every member applied (epoch + 1): kept as the domain's next row, then served. */
  async adopt(next: DomainState): Promise<void> {
    const domain = this.get(next.domainId);
    const state = upgradeDomainState(next);
    await this.ds.getRepository(DomainStateEntity).insert({
      domainId: state.domainId,
      epoch: state.epoch,
      state: JSON.stringify(state),
      createdAt: new Date(),
    });
    domain.state = state;
  }

  /**
   * A domain's first state with the identity keys its members' tokens report, while no member holds it yet (genesis
   * is trusted on first use): a member's identity is then in the state every member holds, and the other members can
   * wrap domain keys for it.
   */
  async amendGenesis(
    domainId: string,
    identities: ReadonlyMap<string, { identityPublicKey: string; signingPublicKey: string }>,
  ): Promise<DomainState> {
    const domain = this.get(domainId);
    if (domain.state.epoch !== 1) throw new Error('only the first state is amended');
    const members = domain.state.members.map((m) =>
      m.identityPublicKey === undefined && identities.has(m.nodeId)
        ? { ...m, ...identities.get(m.nodeId)! }
        : m,
    );
    const next = { ...domain.state, members };
    await this.ds
      .getRepository(DomainStateEntity)
      .update({ domainId, epoch: 1 }, { state: JSON.stringify(next) });
    domain.state = next;
    return next;
  }

  /** The domain's state at `epoch`, as it was adopted (a joining node computes the state after it itself). */
  async stateAt(domainId: string, epoch: number): Promise<DomainState> {
    const row = await this.ds.getRepository(DomainStateEntity).findOne({ where: { domainId, epoch } });
    if (!row) throw new Error(`no state of domain ${domainId} at epoch ${epoch}`);
    return upgradeDomainState(JSON.parse(row.state) as DomainState | LegacyDomainState);
  }

  /** The current state of a domain (CUSTOM_KEY_STORE_NOT_FOUND for an id no domain has). */
  current(domainId: string): DomainState {
    return this.get(domainId).state;
  }

  /** A domain by id, if there is one. */
  find(domainId: string): Domain | undefined {
    return this.domains.get(domainId);
  }

  /** A domain by id: CUSTOM_KEY_STORE_NOT_FOUND when there is none. */
  get(domainId: string): Domain {
    const d = this.domains.get(domainId);
    if (!d)
      throw new KmsError(
        ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND,
        `no custom key store has id ${domainId.slice(0, 64)}`,
      );
    return d;
  }

  /** The domain keys go to when CreateKey names none. */
  defaultId(): string {
    for (const d of this.domains.values()) if (d.isDefault) return d.domainId;
    throw new Error('domain state not loaded');
  }

  /** Every domain, in the order they were made (loaded by creation date, then made in order). */
  all(): Domain[] {
    return [...this.domains.values()];
  }

  /** The domain `nodeId` is a member of, if any. */
  domainOf(nodeId: string): string | undefined {
    for (const d of this.domains.values()) {
      if (d.state.members.some((m) => m.nodeId === nodeId)) return d.domainId;
    }
    return undefined;
  }
}

const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;
