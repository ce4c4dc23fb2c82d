import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditChainReply,
  type AuditChainRequest,
  type ExportAuditChainReply,
  ExportAuditChainRequest,
  Subjects,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { PolicyClient } from '../../../policy/policy.client.js';
import { AUDIT_RPC } from '../../../tokens.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/**
 * Symbolon's ExportAuditChain: a run of the audit chain for offline verification (`symbolon audit verify`). Every
 * link is there, with the record itself only when it is the caller's own (or, with KeyId, one of that key's); other
 * tenants' records appear as hashes only. Decided like ListAuditEvents.
 */
@Injectable()
export class ExportAuditChainUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(AUDIT_RPC) private readonly rpc: RpcClient,
  ) {}

  async execute(req: ExportAuditChainRequest): Promise<ExportAuditChainReply> {
    await this.policy.authorizeAccount(req, 'kms:ListAuditEvents');
    const key =
      req.keyId === undefined
        ? undefined
        : (await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListAuditEvents')).key;
    const query: AuditChainRequest = {
      requestId: req.requestId,
      tenantId: req.tenantId,
      fromSequence: req.fromSequence,
      limit: req.limit,
      ...(key ? { keyArn: key.arn } : {}),
    };
    const r = await this.rpc.send<AuditChainReply>(Subjects.audit.chain, query);
    return { ...r, ...(key ? { keyArn: key.arn } : {}) };
  }
}
