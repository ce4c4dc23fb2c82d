import { HsmActions, type HsmGenerateKeyReply, type RotationType, fromBase64 } from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';

import type { DomainRoute } from '../routing/hsm-router.js';
import type { KeyVersionEntity } from './key.entity.js';

/**
 * A key version with new key material generated in a token: only its EKT comes back, with the domain-key generation
 * that wraps it. Used for a new key (version 1) and for every rotation.
 */
export async function generateKeyVersion(
  hsm: DomainRoute,
  keyId: string,
  version: number,
  requestId: string,
  now: Date,
  rotationType?: RotationType,
): Promise<KeyVersionEntity> {
  const { ekt } = await hsm.call<HsmGenerateKeyReply>(HsmActions.generateKey, { requestId });
  return {
    keyId,
    version,
    ekt,
    domainGeneration: deserializeEkt(fromBase64(ekt)).domainGeneration,
    createdAt: now,
    ...(rotationType ? { rotationType } : {}),
  };
}
