import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, KmsError, type ListKeysReply, ListKeysRequest } from '@symbolon/contracts';

import { PolicyClient } from '../../../policy/policy.client.js';
import { KeyRepository } from '../../key.repository.js';

/** The caller's own keys only, by key id; the marker is opaque to callers. */
@Injectable()
export class ListKeysUseCase {
  constructor(
    @Inject(KeyRepository) private readonly keys: KeyRepository,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
  ) {}

  async execute(req: ListKeysRequest): Promise<ListKeysReply> {
    await this.policy.authorizeAccount(req, 'kms:ListKeys');
    const after = req.marker === undefined ? undefined : decodeMarker(req.marker);
    const page = await this.keys.list(req.tenantId, req.limit + 1, after);
    const shown = page.slice(0, req.limit);
    const last = shown[shown.length - 1];
    return {
      keys: shown.map((k) => ({ keyId: k.id, arn: k.arn })),
      ...(page.length > req.limit && last ? { nextMarker: encodeMarker(last.id) } : {}),
    };
  }
}

function encodeMarker(keyId: string): string {
  return Buffer.from(`v1:${keyId}`).toString('base64url');
}

function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith('v1:') || text.length < 4)
    throw new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');
  return text.slice(3);
}
