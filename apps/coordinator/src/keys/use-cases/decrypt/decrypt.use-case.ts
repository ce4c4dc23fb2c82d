import { Inject, Injectable } from '@nestjs/common';
import {
  type DecryptReply,
  DecryptRequest,
  HsmActions,
  type HsmDecryptReply,
  toBase64,
} from '@symbolon/contracts';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { keyOfBlob } from '../../blob-key.js';
import { KeyResolver } from '../../key-resolver.js';

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
    const { blob, stored, version } = await keyOfBlob(
      this.resolver,
      req,
      req.ciphertextBlob,
      req.keyId,
      'kms:Decrypt',
      req.encryptionContext,
    );
    const reply = await this.hsm.forKey(stored.key).call<HsmDecryptReply>(HsmActions.decrypt, {
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
}
