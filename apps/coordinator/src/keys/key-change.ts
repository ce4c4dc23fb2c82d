import { ErrorCodes, KmsError, type KeyState } from '@symbolon/contracts';

import type { KeyLifecyclePatch, KeyLifecycleRepository } from './key-lifecycle.repository.js';
import { KeyResolver } from './key-resolver.js';
import type { StoredKey } from './key.repository.js';

export type StateCheck = (stored: StoredKey) => void;

/**
 * Applies `patch` to the key while it is in one of `allowed` states. The check runs on the key as the resolver saw
 * it, and the update is guarded by the same states in the database: when another request changed the key in between,
 * the fresh key is checked again (the caller sees the error its state calls for), else CONFLICT. The resolver forgets
 * the key either way.
 */
export async function changeKey(
  resolver: KeyResolver,
  lifecycle: KeyLifecycleRepository,
  stored: StoredKey,
  allowed: readonly KeyState[],
  patch: KeyLifecyclePatch,
  check: StateCheck = (s) => KeyResolver.requireState(s, allowed),
): Promise<void> {
  check(stored);
  const { key } = stored;
  const changed = await lifecycle.update(key.tenantId, key.id, allowed, patch);
  resolver.forget(key.tenantId, key.id);
  if (changed) return;
  const fresh = (await resolver.find(key.tenantId, key.id)).stored;
  if (fresh) check(fresh);
  throw new KmsError(ErrorCodes.CONFLICT, `${key.arn} was changed by another request; retry.`);
}

/** CancelKeyDeletion's rule: only a key pending deletion, anything else is KMSInvalidStateException (AWS). */
export const requirePendingDeletion: StateCheck = (stored) => {
  if (stored.key.keyState !== 'PendingDeletion') {
    throw new KmsError(ErrorCodes.INVALID_STATE, `${stored.key.arn} is not pending deletion.`);
  }
};
