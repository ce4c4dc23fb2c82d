import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditQueryReply,
  type AuditQueryRequest,
  ErrorCodes,
  KmsError,
  type ListAuditEventsReply,
  ListAuditEventsRequest,
  Subjects,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { PolicyClient } from '../../../policy/policy.client.js';
import { RPC } from '../../../tokens.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/**
 * Symbolon's ListAuditEvents: newest first, the caller's own requests, or (KeyId) every record of one of its own keys,
 * other accounts' uses under a grant included. Identity policies decide kms:ListAuditEvents; with a KeyId the key's
 * policy must allow it too.
 */
@Injectable()
export class ListAuditEventsUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(RPC) private readonly rpc: RpcClient,
  ) {}

  async execute(req: ListAuditEventsRequest): Promise<ListAuditEventsReply> {
    const beforeSequence = req.marker === undefined ? undefined : decodeMarker(req.marker);
    await this.policy.authorizeAccount(req, 'kms:ListAuditEvents');
    const key =
      req.keyId === undefined
        ? undefined
        : (await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListAuditEvents')).key;
    const query: AuditQueryRequest = {
      requestId: req.requestId,
      tenantId: req.tenantId,
      limit: req.limit + 1,
      ...(key ? { keyArn: key.arn } : {}),
      ...(req.operation !== undefined ? { operation: req.operation } : {}),
      ...(req.startTime !== undefined ? { startTime: req.startTime } : {}),
      ...(req.endTime !== undefined ? { endTime: req.endTime } : {}),
      ...(beforeSequence !== undefined ? { beforeSequence } : {}),
    };
    const r = await this.rpc.send<AuditQueryReply>(Subjects.audit.query, query);
    const events = r.records.slice(0, req.limit);
    const last = events[events.length - 1];
    return {
      ...(key ? { keyArn: key.arn } : {}),
      events,
      ...(r.records.length > req.limit && last ? { nextMarker: encodeMarker(last.sequence) } : {}),
    };
  }
}

function encodeMarker(sequence: number): string {
  return Buffer.from(`a1:${sequence}`).toString('base64url');
}

function decodeMarker(marker: string): number {
  const m = /^a1:(\d{1,15})$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');
  return n;
}
