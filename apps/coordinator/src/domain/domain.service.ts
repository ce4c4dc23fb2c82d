import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { logger } from '@symbolon/platform';
import { type DomainState, type Member, developmentDomain } from '@symbolon/quorum';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
      this.state = JSON.parse(latest[0].state) as DomainState;
      return;
    }
    this.state = this.createDevelopmentDomain();
    await repo.insert({
      domainId: this.state.domainId,
      epoch: this.state.epoch,
      state: JSON.stringify(this.state),
      createdAt: new Date(),
    });
    logger.info(
      { domainId: this.state.domainId, members: this.state.members.length },
      'development domain created',
    );
  }

  current(): DomainState {
    if (!this.state) throw new Error('domain state not loaded');
    return this.state;
  }

  private createDevelopmentDomain(): DomainState {
    const nodes = this.config.SYMBOLON_HSM_NODES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const labels = this.config.SYMBOLON_HSM_TOKEN_LABELS.split(',').map((s) => s.trim());
    const members: Member[] = nodes.map((nodeId, i) => ({ nodeId, tokenLabel: labels[i] ?? nodeId }));
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const keyFile = this.config.SYMBOLON_OPERATOR_KEY_FILE;
    if (keyFile) {
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    } else {
      logger.warn('SYMBOLON_OPERATOR_KEY_FILE not set: the development operator key is not kept');
    }
    const operator = {
      id: 'operator-1',
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
    return developmentDomain(`domain-${randomUUID()}`, members, operator);
  }
}
