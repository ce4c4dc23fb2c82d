import {
  ErrorCodes,
  type KmsAction,
  KmsError,
  RESERVED_ALIAS_PREFIX,
  type TenantScopedRequest,
} from '@symbolon/contracts';

import { parseKeyId } from '../keys/key-id.js';
import { type AuthorizedKey, KeyResolver } from '../keys/key-resolver.js';
import { NOT_PENDING_DELETION, authorizeOwnKey } from '../keys/own-key.js';

/** `alias/aws/` names belong to AWS managed keys: no customer may create, move or delete one. */
export function refuseReserved(aliasName: string): void {
  if (aliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
    throw new KmsError(
      ErrorCodes.ACCESS_DENIED,
      `Aliases beginning with ${RESERVED_ALIAS_PREFIX} are reserved.`,
    );
  }
}

/**
 * The key an alias is to point at: a key id or key ARN (an alias is VALIDATION, as AWS answers) of the caller's own
 * account, allowed by policy for `action`, and not pending deletion.
 */
export async function aliasTarget(
  resolver: KeyResolver,
  req: TenantScopedRequest,
  targetKeyId: string,
  action: KmsAction,
): Promise<AuthorizedKey> {
  if (parseKeyId(targetKeyId).kind === 'alias') {
    throw new KmsError(ErrorCodes.VALIDATION, 'Aliases must refer to keys. Not aliases');
  }
  const target = await authorizeOwnKey(resolver, req, targetKeyId, action);
  KeyResolver.requireState(target, NOT_PENDING_DELETION);
  return target;
}
