import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  HsmActions,
  type HsmReEncryptReply,
  KmsError,
  type ReEncryptReply,
  ReEncryptRequest,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { ciphertextBlobHeader, deserializeCiphertextBlob, serializeCiphertextBlob } from '@symbolon/formats';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { blobAad } from '../../blob-aad.js';
import { keyMaterialId } from '../../key-material-id.js';
import { KeyResolver } from '../../key-resolver.js';

const invalidCiphertext = () => new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'The ciphertext is invalid.');

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
    let blob;
    try {
      blob = deserializeCiphertextBlob(fromBase64(req.ciphertextBlob));
    } catch {
      throw invalidCiphertext();
    }
    let named: Awaited<ReturnType<KeyResolver['find']>> | undefined;
    if (req.sourceKeyId !== undefined) {
      named = await this.resolver.find(req.tenantId, req.sourceKeyId);
      if (named.keyId !== blob.keyId) {
        throw new KmsError(
          ErrorCodes.INCORRECT_KEY,
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
      }
    }
    const found = named ?? (await this.findBlobKey(req.tenantId, blob.keyId));
    const source = await this.resolver.authorizeFound(
      req,
      found,
      'kms:ReEncryptFrom',
      req.sourceEncryptionContext,
    );
    KeyResolver.requireEnabled(source);
    const sourceVersion = source.versions.get(blob.keyVersion);
    if (!sourceVersion) throw invalidCiphertext();

    const destination = await this.resolver.authorize(
      req,
      req.destinationKeyId,
      'kms:ReEncryptTo',
      req.destinationEncryptionContext,
    );
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
