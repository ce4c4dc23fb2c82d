import { Inject, Injectable } from '@nestjs/common';
import {
  type GetKeyUsageReply,
  GetKeyUsageRequest,
  Subjects,
  type UsageReply,
  type UsageRequest,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { AUDIT_RPC } from '../../../tokens.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/**
 * Symbolon's GetKeyUsage: the encryptions each version of the caller's own key has done, as the audit service counted
 * them from the audit records (exact: counted in the same transaction that stores a record, once per request).
 */
@Injectable()
export class GetKeyUsageUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(AUDIT_RPC) private readonly rpc: RpcClient,
  ) {}

  async execute(req: GetKeyUsageRequest): Promise<GetKeyUsageReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:GetKeyUsage');
    const { key } = stored;
    const query: UsageRequest = { requestId: req.requestId, tenantId: key.tenantId, keyArn: key.arn };
    const counted = await this.rpc.send<UsageReply>(Subjects.audit.usage, query);
    const byVersion = new Map(counted.versions.map((v) => [v.keyVersion, v.encryptions]));
    const versions = [...stored.versions.keys()]
      .sort((a, b) => a - b)
      .map((keyVersion) => ({ keyVersion, encryptions: byVersion.get(keyVersion) ?? 0 }));
    return { keyArn: key.arn, versions };
  }
}
