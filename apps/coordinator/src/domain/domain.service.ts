import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { logger, writeSecretFile } from '@symbolon/platform';
import {
  type DomainState,
  type LegacyDomainState,
  type Member,
  developmentDomain,
  upgradeDomainState,
} from '@symbolon/quorum';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { DATA_SOURCE } from '../tokens.js';
import { DomainStateEntity } from './domain.entity.js';

/**
 * Holds the current domain state. On first start it creates the development domain: the configured tokens, one
 * operator whose Ed25519 key is generated here and written to a 0600 file, and a 1-of-1 rule for every change.
 */
@Injectable()
export class DomainService implements OnModuleInit {
  private state?: DomainState;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const repo = this.ds.getRepository(DomainStateEntity);
    const latest = await repo.find({ order: { epoch: 'DESC' }, take: 1 });
    if (latest[0]) {
      this.state = upgradeDomainState(JSON.parse(latest[0].state) as DomainState | LegacyDomainState);
      return;
    }
    const keyFile = this.config.SYMBOLON_OPERATOR_KEY_FILE;
    // An operator key the installation made (the hsm nodes were told to trust it) is used; else one is made here.
    const given = keyFile && existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined;
    const { state, operatorKeyPem } = this.developmentDomain(given);
    // The row first: if it fails, the next start makes a new domain and a new key, never a key without its domain.
    await repo.insert({
      domainId: state.domainId,
      epoch: state.epoch,
      state: JSON.stringify(state),
      createdAt: new Date(),
    });
    if (!keyFile) logger.warn('SYMBOLON_OPERATOR_KEY_FILE not set: the development operator key is not kept');
    else if (given === undefined) writeSecretFile(keyFile, operatorKeyPem);
    this.state = state;
    logger.info({ domainId: state.domainId, members: state.members.length }, 'development domain created');
  }

  /** A state every member applied (epoch + 1): kept as the domain's next row, then served. */
  async adopt(next: DomainState): Promise<void> {
    const state = upgradeDomainState(next);
    await this.ds.getRepository(DomainStateEntity).insert({
      domainId: state.domainId,
      epoch: state.epoch,
      state: JSON.stringify(state),
      createdAt: new Date(),
    });
    this.state = state;
  }

  /**
   * The first state with the identity keys its members' tokens report, while no member holds it yet (genesis is
   * trusted on first use): a member's identity is then in the state every member holds, and the other members can
   * wrap domain keys for it.
   */
  async amendGenesis(
    identities: ReadonlyMap<string, { identityPublicKey: string; signingPublicKey: string }>,
  ): Promise<DomainState> {
    const state = this.current();
    if (state.epoch !== 1) throw new Error('only the first state is amended');
    const members = state.members.map((m) =>
      m.identityPublicKey === undefined && identities.has(m.nodeId)
        ? { ...m, ...identities.get(m.nodeId)! }
        : m,
    );
    const next = { ...state, members };
    await this.ds
      .getRepository(DomainStateEntity)
      .update({ domainId: state.domainId, epoch: 1 }, { state: JSON.stringify(next) });
    this.state = next;
    return next;
  }

  /** The domain's state at `epoch`, as it was adopted (a joining node computes the state after it itself). */
  async stateAt(domainId: string, epoch: number): Promise<DomainState> {
    const row = await this.ds.getRepository(DomainStateEntity).findOne({ where: { domainId, epoch } });
    if (!row) throw new Error(`no state of domain ${domainId} at epoch ${epoch}`);
    return upgradeDomainState(JSON.parse(row.state) as DomainState | LegacyDomainState);
  }

  current(): DomainState {
    if (!this.state) throw new Error('domain state not loaded');
    return this.state;
  }

  /**
   * One token: the others join it by quorum-approved changes (ADR 0013). The operator's key is the given one, else a
   * new one.
   */
  private developmentDomain(givenKeyPem?: string): { state: DomainState; operatorKeyPem: string } {
    const nodes = this.config.SYMBOLON_HSM_NODES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (nodes.length !== 1) {
      throw new Error(
        `a development domain starts with exactly one hsm node, not ${nodes.length}: set SYMBOLON_HSM_NODES`,
      );
    }
    const tokenLabel = this.config.SYMBOLON_HSM_TOKEN_LABELS.split(',')[0]?.trim() || nodes[0]!;
    const members: Member[] = [{ nodeId: nodes[0]!, tokenLabel }];
    const privateKey = givenKeyPem
      ? createPrivateKey(givenKeyPem)
      : generateKeyPairSync('ed25519').privateKey;
    const publicKey = createPublicKey(privateKey);
    const operator = {
      id: 'operator-1',
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
    return {
      state: developmentDomain(`domain-${randomUUID()}`, members, operator),
      operatorKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
  }
}
