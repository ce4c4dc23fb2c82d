import { Inject, Injectable } from '@nestjs/common';
import {
  type EncryptReply,
  EncryptRequest,
  HsmActions,
  type HsmEncryptReply,
  toBase64,
  fromBase64,
} from '@symbolon/contracts';
import { ciphertextBlobHeader, serializeCiphertextBlob } from '@symbolon/formats';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { SYMMETRIC_DEFAULT } from '../../../policy/policy.client.js';
import { KeyResolver } from '../../key-resolver.js';

/** Encrypt under the key's current version; the blob header and the encryption context are the AAD. */
@Injectable()
export class EncryptUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: EncryptRequest): Promise<EncryptReply> {
    const stored = await this.resolver.authorize(req, req.keyId, 'kms:Encrypt', {
      encryptionContext: req.encryptionContext,
      encryptionAlgorithm: SYMMETRIC_DEFAULT,
    });
    KeyResolver.requireEnabled(stored);
    const { key } = stored;
    const version = stored.versions.get(key.currentVersion)!;
    const header = ciphertextBlobHeader(key.id, version.version);
    const sealed = await this.hsm.forKey(key).call<HsmEncryptReply>(HsmActions.encrypt, {
      requestId: req.requestId,
      ekt: version.ekt,
      plaintext: req.plaintext,
      aad: blobAad(header, req.encryptionContext),
    });
    const blob = serializeCiphertextBlob({
      keyId: key.id,
      keyVersion: version.version,
      iv: fromBase64(sealed.iv),
      sealed: fromBase64(sealed.sealed),
    });
    return {
      keyArn: key.arn,
      keyVersion: version.version,
      ciphertextBlob: toBase64(blob),
      decision: stored.decision,
    };
  }
}
