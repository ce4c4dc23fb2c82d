import { Inject, Injectable } from '@nestjs/common';
import {
  HsmActions,
  type HsmReEncryptReply,
  type ReEncryptReply,
  ReEncryptRequest,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { ciphertextBlobHeader, serializeCiphertextBlob } from '@symbolon/formats';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { keyMaterialId } from '../../key-material-id.js';
import { keyOfBlob } from '../../blob-key.js';
import { SYMMETRIC_DEFAULT } from '../../../policy/policy.client.js';
import { KeyResolver } from '../../key-resolver.js';

/**
 * ReEncrypt: decrypt a blob under its key (kms:ReEncryptFrom, source context) and encrypt the result under the
 * destination key's current version (kms:ReEncryptTo, destination context), in one hsm call: the plaintext never
 * leaves the hsm process. Source rules are Decrypt's: the blob names its key; a SourceKeyId must name the same key.
 */
@Injectable()
export class ReEncryptUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: ReEncryptRequest): Promise<ReEncryptReply> {
    // kms:ReEncryptOnSameKey: known before either key is authorized (the destination is only looked up here).
    const named = await this.resolver.find(req.tenantId, req.destinationKeyId);
    const sameKey = (blobKeyId: string) => named.accountId === req.tenantId && named.keyId === blobKeyId;
    const {
      blob,
      stored: source,
      version: sourceVersion,
    } = await keyOfBlob(
      this.resolver,
      req,
      req.ciphertextBlob,
      req.sourceKeyId,
      'kms:ReEncryptFrom',
      req.sourceEncryptionContext,
      (blobKeyId) => ({ reEncryptOnSameKey: sameKey(blobKeyId) }),
    );

    const destination = await this.resolver.authorizeFound(req, named, 'kms:ReEncryptTo', {
      encryptionContext: req.destinationEncryptionContext,
      encryptionAlgorithm: SYMMETRIC_DEFAULT,
      reEncryptOnSameKey: source.key.id === named.keyId && named.accountId === source.key.tenantId,
    });
    KeyResolver.requireEnabled(destination);
    const { key } = destination;
    const destinationVersion = destination.versions.get(key.currentVersion)!;
    const header = ciphertextBlobHeader(key.id, destinationVersion.version);
    const sealed = await this.hsm.call<HsmReEncryptReply>(HsmActions.reEncrypt, {
      requestId: req.requestId,
      sourceEkt: sourceVersion.ekt,
      iv: toBase64(blob.iv),
      sealed: toBase64(blob.sealed),
      sourceAad: blobAad(blob.header, req.sourceEncryptionContext),
      destinationEkt: destinationVersion.ekt,
      destinationAad: blobAad(header, req.destinationEncryptionContext),
    });
    const ciphertext = serializeCiphertextBlob({
      keyId: key.id,
      keyVersion: destinationVersion.version,
      iv: fromBase64(sealed.iv),
      sealed: fromBase64(sealed.sealed),
    });
    return {
      ciphertextBlob: toBase64(ciphertext),
      sourceKeyArn: source.key.arn,
      sourceKeyVersion: sourceVersion.version,
      sourceKeyMaterialId: keyMaterialId(source.key.id, sourceVersion.version),
      keyArn: key.arn,
      keyVersion: destinationVersion.version,
      keyMaterialId: keyMaterialId(key.id, destinationVersion.version),
      decision: destination.decision,
    };
  }
}
