import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type GetKeyPolicyKeyRequest,
  type GetKeyPolicyReply,
  KEY_POLICY_NAME,
  KmsError,
  type ListKeyPoliciesKeyRequest,
  type ListKeyPoliciesReply,
  type PutKeyPolicyKeyRequest,
  type PutKeyPolicyRequest,
  Subjects,
  type TenantScopedRequest,
  tenantScope,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { KeyResolver } from '../keys/key-resolver.js';
import { authorizeOwnKey } from '../keys/own-key.js';
import { RPC } from '../tokens.js';

/**
 * PutKeyPolicy, GetKeyPolicy, ListKeyPolicies: the key in the caller's own account only (AWS: "Cross-account use:
 * No"), authorized by the key's current policy; the policy service validates, checks lockout and stores.
 */
@Injectable()
export class KeyPoliciesUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(RPC) private readonly rpc: RpcClient,
  ) {}

  async put(req: PutKeyPolicyKeyRequest): Promise<{ keyArn: string }> {
    const { key } = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:PutKeyPolicy');
    await storeKeyPolicy(
      this.rpc,
      req,
      key.arn,
      key.tenantId,
      req.policy,
      req.bypassPolicyLockoutSafetyCheck,
    );
    return { keyArn: key.arn };
  }

  async get(req: GetKeyPolicyKeyRequest): Promise<GetKeyPolicyReply & { keyArn: string }> {
    const { key } = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:GetKeyPolicy');
    const r = await this.rpc.send<GetKeyPolicyReply>(Subjects.policy.getKeyPolicy, {
      ...tenantScope(req),
      keyArn: key.arn,
      keyAccountId: key.tenantId,
    });
    return { policy: r.policy, keyArn: key.arn };
  }

  async list(req: ListKeyPoliciesKeyRequest): Promise<ListKeyPoliciesReply & { keyArn: string }> {
    const { key } = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ListKeyPolicies');
    return { policyNames: [KEY_POLICY_NAME], keyArn: key.arn };
  }
}

/** Has the policy service validate (MALFORMED_POLICY), check lockout unless bypassed, and store a key policy. */
export async function storeKeyPolicy(
  rpc: RpcClient,
  req: TenantScopedRequest,
  keyArn: string,
  keyAccountId: string,
  policy: string,
  bypassLockoutCheck: boolean,
): Promise<void> {
  if (policy.length === 0) throw new KmsError(ErrorCodes.MALFORMED_POLICY, 'The policy document is empty');
  const request: PutKeyPolicyRequest = {
    ...tenantScope(req),
    keyArn,
    keyAccountId,
    policy,
    bypassLockoutCheck,
  };
  await rpc.send(Subjects.policy.putKeyPolicy, request);
}
