import { Inject, Injectable } from '@nestjs/common';
import {
  type CustomKeyStoreDto,
  type DescribeCustomKeyStoresReply,
  DescribeCustomKeyStoresRequest,
  ErrorCodes,
  KmsError,
} from '@symbolon/contracts';

import { decodeMarker, page } from '../keys/list-marker.js';
import { PolicyClient } from '../policy/policy.client.js';
import { NodeHealth } from '../routing/node-health.js';
import { type Domain, DomainService } from './domain.service.js';

/**
 * The domains as AWS clients see them: custom key stores of type AWS_CLOUDHSM, one per domain, the same for every
 * tenant (the provider's operators make them; CreateCustomKeyStore and its kin are not offered). A key is placed in
 * one at CreateKey and served only by that domain's tokens (ADR 0014).
 */
@Injectable()
export class CustomKeyStores {
  constructor(
    @Inject(DomainService) private readonly domains: DomainService,
    @Inject(NodeHealth) private readonly health: NodeHealth,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
  ) {}

  list(): CustomKeyStoreDto[] {
    return this.domains.all().map((d) => this.toDto(d));
  }

  /**
   * Where a new key goes (or GenerateRandom draws from): the named domain, else the default one. An unknown id is
   * CUSTOM_KEY_STORE_NOT_FOUND; a domain none of whose members is up is CUSTOM_KEY_STORE_INVALID_STATE (AWS: not
   * CONNECTED).
   */
  placement(customKeyStoreId: string | undefined): string {
    if (customKeyStoreId === undefined) return this.domains.defaultId();
    const domain = this.domains.get(customKeyStoreId);
    if (!this.connected(domain)) {
      throw new KmsError(
        ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE,
        `custom key store ${domain.domainId} is not connected: none of its hsm nodes is up`,
      );
    }
    return domain.domainId;
  }

  async describe(req: DescribeCustomKeyStoresRequest): Promise<DescribeCustomKeyStoresReply> {
    await this.policy.authorizeAccount(req, 'kms:DescribeCustomKeyStores');
    let stores: CustomKeyStoreDto[];
    if (req.customKeyStoreId !== undefined) {
      stores = [this.toDto(this.domains.get(req.customKeyStoreId))];
    } else {
      stores = this.list();
    }
    if (req.customKeyStoreName !== undefined) {
      stores = stores.filter((s) => s.customKeyStoreName === req.customKeyStoreName);
      if (stores.length === 0) {
        throw new KmsError(
          ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND,
          `no custom key store is named ${req.customKeyStoreName.slice(0, 256)}`,
        );
      }
    }
    const after = req.marker !== undefined ? decodeMarker(req.marker) : undefined;
    const from = after === undefined ? 0 : stores.findIndex((s) => s.customKeyStoreId === after) + 1;
    // A marker of a store no longer listed (removed, or another filter) says nowhere to go on from.
    if (after !== undefined && from === 0)
      throw new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');
    const { items, nextMarker } = page(stores.slice(from), req.limit, (s) => s.customKeyStoreId);
    return { keyStores: items, ...(nextMarker !== undefined ? { nextMarker } : {}) };
  }

  private connected(d: Domain): boolean {
    return d.state.members.some((m) => this.health.isUp(m.nodeId));
  }

  private toDto(d: Domain): CustomKeyStoreDto {
    return {
      customKeyStoreId: d.domainId,
      customKeyStoreName: d.name,
      connectionState: this.connected(d) ? 'CONNECTED' : 'DISCONNECTED',
      creationDate: d.createdAt.toISOString(),
      labels: d.labels,
      members: d.state.members.length,
      default: d.isDefault,
    };
  }
}
