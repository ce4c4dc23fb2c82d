import { Inject, Injectable } from '@nestjs/common';
import {
  type DecryptReply,
  DecryptRequest,
  ErrorCodes,
  HsmActions,
  type HsmDecryptReply,
  KmsError,
  toBase64,
  fromBase64,
} from '@symbolon/contracts';
import { deserializeCiphertextBlob } from '@symbolon/formats';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { KeyResolver } from '../../key-resolver.js';

const invalidCiphertext = () => new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'The ciphertext is invalid.');

/**
 * Decrypt: the blob names its key and version. A KeyId, when given, must name the same key (INCORRECT_KEY).
 * Anything wrong with the blob, its key version or the context is INVALID_CIPHERTEXT, never wrong plaintext.
 */
@Injectable()
export class DecryptUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: DecryptRequest): Promise<DecryptReply> {
    let blob;
    try {
      blob = deserializeCiphertextBlob(fromBase64(req.ciphertextBlob));
    } catch {
      throw invalidCiphertext();
    }
    let named: Awaited<ReturnType<KeyResolver['find']>> | undefined;
    if (req.keyId !== undefined) {
      named = await this.resolver.find(req.tenantId, req.keyId);
      if (named.keyId !== blob.keyId) {
        throw new KmsError(
          ErrorCodes.INCORRECT_KEY,
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
      }
    }
    // A KeyId (possibly another account's key ARN) names the key; otherwise the blob's key in the caller's account.
    const found = named ?? (await this.findBlobKey(req.tenantId, blob.keyId));
    const stored = await this.resolver.authorizeFound(req, found, 'kms:Decrypt', req.encryptionContext);
    KeyResolver.requireEnabled(stored);
    const version = stored.versions.get(blob.keyVersion);
    if (!version) throw invalidCiphertext();
    const reply = await this.hsm.call<HsmDecryptReply>(HsmActions.decrypt, {
      requestId: req.requestId,
      ekt: version.ekt,
      iv: toBase64(blob.iv),
      sealed: toBase64(blob.sealed),
      aad: blobAad(blob.header, req.encryptionContext),
    });
    return {
      keyArn: stored.key.arn,
      keyVersion: version.version,
      plaintext: reply.plaintext,
      decision: stored.decision,
    };
  }

  /** The blob's key in the caller's own account; an unknown key is a bad blob (ADR 0002). */
  private async findBlobKey(tenantId: string, keyId: string) {
    try {
      return await this.resolver.find(tenantId, keyId);
    } catch (e) {
      if (e instanceof KmsError && e.code === ErrorCodes.NOT_FOUND) throw invalidCiphertext();
      throw e;
    }
  }
}
