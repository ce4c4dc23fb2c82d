import { Inject, Injectable } from '@nestjs/common';
import {
  type GenerateDataKeyReply,
  GenerateDataKeyRequest,
  HsmActions,
  type HsmGenerateDataKeyReply,
  toBase64,
  fromBase64,
} from '@symbolon/contracts';
import { ciphertextBlobHeader, serializeCiphertextBlob } from '@symbolon/formats';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { SYMMETRIC_DEFAULT } from '../../../policy/policy.client.js';
import { KeyResolver } from '../../key-resolver.js';

/** A data key made by the token's generator and sealed under the key in one hsm call. */
@Injectable()
export class GenerateDataKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: GenerateDataKeyRequest): Promise<GenerateDataKeyReply> {
    const action = req.returnPlaintext ? 'kms:GenerateDataKey' : 'kms:GenerateDataKeyWithoutPlaintext';
    const stored = await this.resolver.authorize(req, req.keyId, action, {
      encryptionContext: req.encryptionContext,
      encryptionAlgorithm: SYMMETRIC_DEFAULT,
    });
    KeyResolver.requireEnabled(stored);
    const { key } = stored;
    const version = stored.versions.get(key.currentVersion)!;
    const header = ciphertextBlobHeader(key.id, version.version);
    const made = await this.hsm.forKey(key).call<HsmGenerateDataKeyReply>(HsmActions.generateDataKey, {
      requestId: req.requestId,
      ekt: version.ekt,
      length: req.numberOfBytes,
      aad: blobAad(header, req.encryptionContext),
    });
    const blob = serializeCiphertextBlob({
      keyId: key.id,
      keyVersion: version.version,
      iv: fromBase64(made.iv),
      sealed: fromBase64(made.sealed),
    });
    return {
      keyArn: key.arn,
      keyVersion: version.version,
      ciphertextBlob: toBase64(blob),
      ...(req.returnPlaintext ? { plaintext: made.plaintext } : {}),
      decision: stored.decision,
    };
  }
}
