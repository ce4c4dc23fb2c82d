import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type KeyRotationEntryDto,
  KmsError,
  type ListKeyRotationsReply,
  ListKeyRotationsRequest,
} from '@symbolon/contracts';

import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { keyMaterialId } from '../../key-material-id.js';
import { KeyResolver } from '../../key-resolver.js';
import type { KeyVersionEntity } from '../../key.entity.js';
import { authorizeOwnKey } from '../../own-key.js';

const invalidMarker = () => new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');

/**
 * The key's rotations in version order (ROTATIONS_ONLY), or every key material including the first
 * (ALL_KEY_MATERIAL). The marker is opaque: the last version shown.
 */
@Injectable()
export class ListKeyRotationsUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  async execute(req: ListKeyRotationsRequest): Promise<ListKeyRotationsReply> {
    const after = req.marker === undefined ? 0 : decodeMarker(req.marker);
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListKeyRotations');
    KeyResolver.requireState(stored, ['Enabled', 'Disabled', 'PendingDeletion']);
    const { key } = stored;
    const versions = await this.lifecycle.versionsOf(key.id);
    // The current version is read with the versions: a rotation since the key was cached is seen here too.
    const current = Math.max(key.currentVersion, ...versions.map((v) => v.version));
    const listed = versions.filter(
      (v) => v.version > after && (req.includeKeyMaterial === 'ALL_KEY_MATERIAL' || v.rotationType != null),
    );
    const shown = listed.slice(0, req.limit);
    const last = shown[shown.length - 1];
    return {
      keyArn: key.arn,
      rotations: shown.map((v) => entry(key.id, v, current)),
      ...(listed.length > req.limit && last ? { nextMarker: encodeMarker(last.version) } : {}),
    };
  }
}

function entry(keyId: string, v: KeyVersionEntity, current: number): KeyRotationEntryDto {
  return {
    keyId,
    keyMaterialId: keyMaterialId(keyId, v.version),
    keyMaterialState: v.version === current ? 'CURRENT' : 'NON_CURRENT',
    ...(v.rotationType != null
      ? { rotationDate: new Date(v.createdAt).toISOString(), rotationType: v.rotationType }
      : {}),
  };
}

function encodeMarker(version: number): string {
  return Buffer.from(`r1:${version}`).toString('base64url');
}

function decodeMarker(marker: string): number {
  const m = /^r1:([1-9]\d{0,8})$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!m) throw invalidMarker();
  return Number(m[1]);
}
