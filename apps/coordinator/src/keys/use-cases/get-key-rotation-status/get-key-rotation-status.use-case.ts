import { Inject, Injectable } from '@nestjs/common';
import { type GetKeyRotationStatusReply, GetKeyRotationStatusRequest } from '@symbolon/contracts';

import { KeyResolver } from '../../key-resolver.js';

/** Rotation status; allowed across accounts by key ARN when policy allows it (AWS). */
@Injectable()
export class GetKeyRotationStatusUseCase {
  constructor(@Inject(KeyResolver) private readonly resolver: KeyResolver) {}

  async execute(req: GetKeyRotationStatusRequest): Promise<GetKeyRotationStatusReply> {
    const stored = await this.resolver.authorize(req, req.keyId, 'kms:GetKeyRotationStatus');
    KeyResolver.requireState(stored, ['Enabled', 'Disabled', 'PendingDeletion']);
    const { key } = stored;
    const enabled = key.rotationEnabled === true;
    return {
      keyArn: key.arn,
      keyRotationEnabled: enabled,
      ...(enabled && key.rotationPeriodDays != null ? { rotationPeriodInDays: key.rotationPeriodDays } : {}),
      ...(enabled && key.nextRotationDate
        ? { nextRotationDate: new Date(key.nextRotationDate).toISOString() }
        : {}),
    };
  }
}
