import type { KeyMetadataDto } from '@symbolon/contracts';

import type { KeyEntity } from './key.entity.js';

export function toKeyMetadata(key: KeyEntity): KeyMetadataDto {
  return {
    keyId: key.id,
    arn: key.arn,
    accountId: key.tenantId,
    description: key.description,
    keyState: key.keyState,
    keyUsage: key.keyUsage,
    keySpec: key.keySpec,
    origin: key.origin,
    ...(key.origin === 'AWS_CLOUDHSM' && key.domainId ? { customKeyStoreId: key.domainId } : {}),
    creationDate: new Date(key.createdAt).toISOString(),
    currentVersion: key.currentVersion,
    ...(key.keyState === 'PendingDeletion' && key.deletionDate
      ? { deletionDate: new Date(key.deletionDate).toISOString() }
      : {}),
    ...(key.keyState === 'PendingDeletion' && key.pendingWindowDays != null
      ? { pendingDeletionWindowInDays: key.pendingWindowDays }
      : {}),
  };
}
