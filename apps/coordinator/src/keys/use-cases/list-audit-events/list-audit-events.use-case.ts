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
import { AUDIT_RPC } from '../../../tokens.js';
import { KeyResolver } from '../../key-resolver.js';
import { decodeMarker, page } from '../../list-marker.js';
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
    @Inject(AUDIT_RPC) private readonly rpc: RpcClient,
  ) {}

  async execute(req: ListAuditEventsRequest): Promise<ListAuditEventsReply> {
    const beforeSequence = req.marker === undefined ? undefined : sequenceOf(req.marker);
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
    const { items, nextMarker } = page(r.records, req.limit, (e) => String(e.sequence));
    return {
      ...(key ? { keyArn: key.arn } : {}),
      events: items,
      ...(nextMarker !== undefined ? { nextMarker } : {}),
    };
  }
}

/** The sequence a marker (the list markers every List operation uses) continues after. */
function sequenceOf(marker: string): number {
  const text = decodeMarker(marker);
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1)) throw new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');
  return n;
}
