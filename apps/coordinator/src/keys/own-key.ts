import {
  ErrorCodes,
  type KmsAction,
  KmsError,
  type KeyState,
  type TenantScopedRequest,
} from '@symbolon/contracts';

import { parseKeyId } from './key-id.js';
import { type AuthorizedKey, type KeyResolver } from './key-resolver.js';

/** Every state but PendingDeletion: key administration (tags, description, alias targets) as AWS allows it. */
export const NOT_PENDING_DELETION: readonly KeyState[] = [
  'Enabled',
  'Disabled',
  'PendingImport',
  'Unavailable',
];

/**
 * Key administration as AWS has it: the key is named by key id or key ARN (an alias is NOT_FOUND, `Invalid keyId`),
 * and only in the caller's own account ("Cross-account use: No"): a key ARN of another account is ACCESS_DENIED
 * without asking policy, whether or not that key exists.
 */
export async function authorizeOwnKey(
  resolver: KeyResolver,
  req: TenantScopedRequest,
  keyIdInput: string,
  action: KmsAction,
): Promise<AuthorizedKey> {
  if (parseKeyId(keyIdInput).kind === 'alias') {
    throw new KmsError(ErrorCodes.NOT_FOUND, `Invalid keyId ${keyIdInput}`);
  }
  const found = await resolver.find(req.tenantId, keyIdInput);
  if (found.accountId !== req.tenantId) {
    return resolver.authorizeFound(req, { accountId: found.accountId, keyId: found.keyId }, action);
  }
  return resolver.authorizeFound(req, found, action);
}
