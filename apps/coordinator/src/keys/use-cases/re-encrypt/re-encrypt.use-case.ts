import { Inject, Injectable } from '@nestjs/common';
import {
  HsmActions,
  type HsmDecryptReply,
  type HsmEncryptReply,
  type HsmReEncryptReply,
  type ReEncryptReply,
  ReEncryptRequest,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { ciphertextBlobHeader, serializeCiphertextBlob } from '@symbolon/formats';

import { type DomainRoute, HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { keyMaterialId } from '../../key-material-id.js';
import { keyOfBlob } from '../../blob-key.js';
import { SYMMETRIC_DEFAULT } from '../../../policy/policy.client.js';
import { KeyResolver } from '../../key-resolver.js';

/**
 * ReEncrypt: decrypt a blob under its key (kms:ReEncryptFrom, source context) and encrypt the result under the
 * destination key's current version (kms:ReEncryptTo, destination context). Within a domain in one hsm call: the
 * plaintext never leaves the hsm process. Between domains no token holds both keys' domain keys, so a token of the
 * source domain decrypts and one of the destination domain encrypts, the plaintext passing through this process's
 * memory only, as Decrypt's does (ADR 0014). Source rules are Decrypt's: the blob names its key; a SourceKeyId must name the same key.
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
    const request = {
      requestId: req.requestId,
      sourceEkt: sourceVersion.ekt,
      iv: toBase64(blob.iv),
      sealed: toBase64(blob.sealed),
      sourceAad: blobAad(blob.header, req.sourceEncryptionContext),
      destinationEkt: destinationVersion.ekt,
      destinationAad: blobAad(header, req.destinationEncryptionContext),
    };
    const from = this.hsm.forKey(source.key);
    const to = this.hsm.forKey(key);
    const sealed =
      from.domainId === to.domainId
        ? await from.call<HsmReEncryptReply>(HsmActions.reEncrypt, request)
        : await acrossDomains(request, from, to);
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

/** ReEncrypt between two domains: Decrypt in the source domain, Encrypt in the destination domain. */
async function acrossDomains(
  r: {
    requestId: string;
    sourceEkt: string;
    iv: string;
    sealed: string;
    sourceAad: string;
    destinationEkt: string;
    destinationAad: string;
  },
  from: DomainRoute,
  to: DomainRoute,
): Promise<HsmEncryptReply> {
  const { plaintext } = await from.call<HsmDecryptReply>(HsmActions.decrypt, {
    requestId: r.requestId,
    ekt: r.sourceEkt,
    iv: r.iv,
    sealed: r.sealed,
    aad: r.sourceAad,
  });
  return to.call<HsmEncryptReply>(HsmActions.encrypt, {
    requestId: r.requestId,
    ekt: r.destinationEkt,
    plaintext,
    aad: r.destinationAad,
  });
}
