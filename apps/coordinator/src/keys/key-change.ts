import { ErrorCodes, KmsError, type KeyState } from '@symbolon/contracts';

import type { KeyLifecyclePatch, KeyLifecycleRepository } from './key-lifecycle.repository.js';
import { KeyResolver } from './key-resolver.js';
import type { StoredKey } from './key.repository.js';

export type StateCheck = (stored: StoredKey) => void;

/**
 * Runs `write` (a guarded update that returns whether it applied) on a key in one of `allowed` states. The check
 * runs on the key as the resolver saw it; the update itself is guarded by the same states in the database, so when
 * another request changed the key in between, the fresh key is checked again (the caller sees the error its state
 * calls for), else CONFLICT. The resolver forgets the key either way.
 */
export async function changeKeyWith(
  resolver: KeyResolver,
  stored: StoredKey,
  allowed: readonly KeyState[],
  write: () => Promise<boolean>,
  check: StateCheck = (s) => KeyResolver.requireState(s, allowed),
): Promise<void> {
  check(stored);
  const { key } = stored;
  const changed = await write();
  resolver.forget(key.tenantId, key.id);
  if (changed) return;
  const fresh = (await resolver.find(key.tenantId, key.id)).stored;
  if (fresh) check(fresh);
  throw new KmsError(ErrorCodes.CONFLICT, `${key.arn} was changed by another request; retry.`);
}

/** changeKeyWith for a lifecycle patch (deletion date, rotation settings, state). */
export function changeKey(
  resolver: KeyResolver,
  lifecycle: KeyLifecycleRepository,
  stored: StoredKey,
  allowed: readonly KeyState[],
  patch: KeyLifecyclePatch,
  check?: StateCheck,
): Promise<void> {
  const { tenantId, id } = stored.key;
  return changeKeyWith(
    resolver,
    stored,
    allowed,
    () => lifecycle.update(tenantId, id, allowed, patch),
    check,
  );
}

/** CancelKeyDeletion's rule: only a key pending deletion, anything else is KMSInvalidStateException (AWS). */
export const requirePendingDeletion: StateCheck = (stored) => {
  if (stored.key.keyState !== 'PendingDeletion') {
    throw new KmsError(ErrorCodes.INVALID_STATE, `${stored.key.arn} is not pending deletion.`);
  }
};
