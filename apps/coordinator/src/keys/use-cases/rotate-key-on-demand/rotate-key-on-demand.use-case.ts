import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  KmsError,
  MAX_ON_DEMAND_ROTATIONS,
  type RotateKeyOnDemandReply,
  RotateKeyOnDemandRequest,
} from '@symbolon/contracts';

import { CLOCK, type Clock } from '../../../clock.js';
import { KeyResolver } from '../../key-resolver.js';
import { KeyRotator } from '../../key-rotator.js';
import { KeyRepository } from '../../key.repository.js';
import { authorizeOwnKey } from '../../own-key.js';

/**
 * A new key version now, made current; the automatic schedule is left as it was. At most MAX_ON_DEMAND_ROTATIONS per
 * key (LIMIT_EXCEEDED after). The rotation completes within the request, so none is ever "in progress" afterwards.
 */
@Injectable()
export class RotateKeyOnDemandUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyRepository) private readonly keys: KeyRepository,
    @Inject(KeyRotator) private readonly rotator: KeyRotator,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: RotateKeyOnDemandRequest): Promise<RotateKeyOnDemandReply> {
    const authorized = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:RotateKeyOnDemand');
    KeyResolver.requireEnabled(authorized);
    // The count and the current version come from the database, not the resolver's short-lived cache.
    const { key: cached } = authorized;
    const stored = await this.keys.find(cached.tenantId, cached.id);
    if (!stored) throw new KmsError(ErrorCodes.NOT_FOUND, `Key '${cached.arn}' does not exist`);
    KeyResolver.requireEnabled(stored);
    const onDemand = [...stored.versions.values()].filter((v) => v.rotationType === 'ON_DEMAND').length;
    if (onDemand >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError(
        ErrorCodes.LIMIT_EXCEEDED,
        `${cached.arn} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`,
      );
    }
    const version = await this.rotator.rotate(stored.key, 'ON_DEMAND', req.requestId, this.clock.now());
    this.resolver.forget(cached.tenantId, cached.id);
    if (!version) {
      throw new KmsError(ErrorCodes.CONFLICT, `A rotation of ${cached.arn} is already in progress.`);
    }
    return { keyArn: cached.arn, keyVersion: version.version };
  }
}
