import { Inject, Injectable } from '@nestjs/common';
import {
  type CreateGrantKeyRequest,
  type CreateGrantReply,
  type CreateGrantRequest,
  ErrorCodes,
  KmsError,
  type ListGrantsKeyReply,
  type ListGrantsKeyRequest,
  type ListGrantsReply,
  type ListRetirableGrantsRequest,
  type RetireGrantKeyRequest,
  type RevokeGrantKeyRequest,
  Subjects,
  grantIdOfToken,
  tenantScope,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { parseKeyId } from '../keys/key-id.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { NOT_PENDING_DELETION } from '../keys/own-key.js';
import { PolicyClient } from '../policy/policy.client.js';
import { RPC } from '../tokens.js';

/**
 * Grants: the key may be in another account (AWS: "Cross-account use: Yes"), so it is named by key id or ARN and
 * authorized by its policy; the policy service stores the grants and decides retirement.
 */
@Injectable()
export class GrantsUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(RPC) private readonly rpc: RpcClient,
  ) {}

  async create(req: CreateGrantKeyRequest): Promise<CreateGrantReply & { keyArn: string }> {
    const stored = await this.resolver.authorize(req, keyIdOrArn(req.keyId), 'kms:CreateGrant', {
      grantOperations: req.operations,
    });
    KeyResolver.requireState(stored, NOT_PENDING_DELETION);
    const { key } = stored;
    const request: CreateGrantRequest = {
      ...tenantScope(req),
      keyArn: key.arn,
      keyAccountId: key.tenantId,
      granteePrincipal: req.granteePrincipal,
      ...(req.retiringPrincipal !== undefined ? { retiringPrincipal: req.retiringPrincipal } : {}),
      operations: req.operations,
      ...(req.constraints !== undefined ? { constraints: req.constraints } : {}),
      ...(req.name !== undefined ? { name: req.name } : {}),
    };
    const r = await this.rpc.send<CreateGrantReply>(Subjects.policy.createGrant, request);
    return { ...r, keyArn: key.arn };
  }

  async list(req: ListGrantsKeyRequest): Promise<ListGrantsKeyReply> {
    const { key } = await this.resolver.authorize(req, keyIdOrArn(req.keyId), 'kms:ListGrants');
    const r = await this.rpc.send<ListGrantsReply>(Subjects.policy.listGrants, {
      ...tenantScope(req),
      keyArn: key.arn,
      keyAccountId: key.tenantId,
      limit: req.limit,
      ...(req.marker !== undefined ? { marker: req.marker } : {}),
      ...(req.grantId !== undefined ? { grantId: req.grantId } : {}),
      ...(req.granteePrincipal !== undefined ? { granteePrincipal: req.granteePrincipal } : {}),
    });
    return { ...r, keyArn: key.arn };
  }

  /** Decided by identity policies (no key), for a retiring principal of the caller's own account. */
  async listRetirable(req: ListRetirableGrantsRequest): Promise<ListGrantsReply> {
    await this.policy.authorizeAccount(req, 'kms:ListRetirableGrants');
    return this.rpc.send<ListGrantsReply>(Subjects.policy.listRetirableGrants, req);
  }

  /** The policy service decides who may retire (retiring principal, or grantee with RetireGrant). */
  async retire(req: RetireGrantKeyRequest): Promise<{ keyArn?: string }> {
    let keyArn: string | undefined;
    if (req.grantToken === undefined) {
      if (req.keyId === undefined || req.grantId === undefined) {
        throw new KmsError(ErrorCodes.VALIDATION, 'Specify GrantToken, or both KeyId and GrantId');
      }
      const found = await this.resolver.find(req.tenantId, keyIdOrArn(req.keyId));
      if (!found.stored) throw new KmsError(ErrorCodes.NOT_FOUND, `Grant ID ${req.grantId} not found`);
      keyArn = found.stored.key.arn;
    } else if (grantIdOfToken(req.grantToken) === undefined) {
      throw new KmsError(ErrorCodes.INVALID_GRANT_TOKEN, 'Invalid grant token');
    }
    await this.rpc.send(Subjects.policy.retireGrant, {
      ...tenantScope(req),
      ...(req.grantToken !== undefined ? { grantToken: req.grantToken } : {}),
      ...(keyArn !== undefined ? { keyArn, grantId: req.grantId } : {}),
    });
    return keyArn !== undefined ? { keyArn } : {};
  }

  async revoke(req: RevokeGrantKeyRequest): Promise<{ keyArn: string }> {
    const { key } = await this.resolver.authorize(req, keyIdOrArn(req.keyId), 'kms:RevokeGrant');
    await this.rpc.send(Subjects.policy.revokeGrant, {
      ...tenantScope(req),
      keyArn: key.arn,
      keyAccountId: key.tenantId,
      grantId: req.grantId,
    });
    return { keyArn: key.arn };
  }
}

/** Grant operations name their key by key id or key ARN only, as AWS documents: an alias is NOT_FOUND. */
function keyIdOrArn(keyId: string): string {
  if (parseKeyId(keyId).kind === 'alias') throw new KmsError(ErrorCodes.NOT_FOUND, `Invalid keyId ${keyId}`);
  return keyId;
}
