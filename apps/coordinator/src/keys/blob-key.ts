import {
  ErrorCodes,
  type KmsAction,
  KmsError,
  type TenantScopedRequest,
  fromBase64,
} from '@symbolon/contracts';
import { deserializeCiphertextBlob } from '@symbolon/formats';

import { type PolicyFacts, SYMMETRIC_DEFAULT } from '../policy/policy.client.js';
import { type AuthorizedKey, KeyResolver } from './key-resolver.js';
import type { KeyVersionEntity } from './key.entity.js';

export const invalidCiphertext = () =>
  new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'The ciphertext is invalid.');

export interface OpenedBlob {
  blob: ReturnType<typeof deserializeCiphertextBlob>;
  stored: AuthorizedKey;
  version: KeyVersionEntity;
}

/**
 * The key version a ciphertext blob names, authorized for `action` (Decrypt, ReEncrypt's source). The blob names its
 * key; a KeyId, when given, must name the same key (INCORRECT_KEY) and may be another account's key ARN. Without
 * one, the blob's key is looked up in the caller's account. Anything wrong with the blob or its key version is
 * INVALID_CIPHERTEXT (ADR 0002).
 */
export async function keyOfBlob(
  resolver: KeyResolver,
  req: TenantScopedRequest,
  ciphertextBlob: string,
  keyId: string | undefined,
  action: KmsAction,
  encryptionContext: Record<string, string>,
  moreFacts: (blobKeyId: string) => PolicyFacts = () => ({}),
): Promise<OpenedBlob> {
  let blob;
  try {
    blob = deserializeCiphertextBlob(fromBase64(ciphertextBlob));
  } catch {
    throw invalidCiphertext();
  }
  let named: Awaited<ReturnType<KeyResolver['find']>> | undefined;
  if (keyId !== undefined) {
    named = await resolver.find(req.tenantId, keyId);
    if (named.keyId !== blob.keyId) {
      throw new KmsError(
        ErrorCodes.INCORRECT_KEY,
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
  }
  const found = named ?? (await findOwnBlobKey(resolver, req.tenantId, blob.keyId));
  const stored = await resolver.authorizeFound(req, found, action, {
    encryptionContext,
    encryptionAlgorithm: SYMMETRIC_DEFAULT,
    ...moreFacts(blob.keyId),
  });
  KeyResolver.requireEnabled(stored);
  const version = stored.versions.get(blob.keyVersion);
  if (!version) throw invalidCiphertext();
  return { blob, stored, version };
}

async function findOwnBlobKey(resolver: KeyResolver, tenantId: string, keyId: string) {
  try {
    return await resolver.find(tenantId, keyId);
  } catch (e) {
    if (e instanceof KmsError && e.code === ErrorCodes.NOT_FOUND) throw invalidCiphertext();
    throw e;
  }
}
