import {
  DEFAULT_IDENTITY_POLICY_NAME,
  ErrorCodes,
  KmsError,
  type GetIdentityPolicyReply,
  type ListIdentityPoliciesReply,
  Subjects,
} from '@symbolon/contracts';
import { type RpcClient, logger } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { AwsError } from '../kms/aws-error.js';
import { UserEntity } from './user.entity.js';

/** The policy a new user gets unless its creator says otherwise: every kms action (AWS's PowerUser-like default). */
export const DEFAULT_IDENTITY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'SymbolonDefaultKmsAccess', Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
});

/** Identity policies live in the policy service; the gateway's admin API manages them through it. */
export class IdentityPolicies {
  constructor(private readonly rpc: RpcClient) {}

  put(caller: string, principalArn: string, policyName: string, document: string): Promise<unknown> {
    return this.rpc.send(Subjects.policy.putIdentityPolicy, {
      ...scope(caller, principalArn),
      principalArn,
      policyName,
      document,
    });
  }

  async get(caller: string, principalArn: string, policyName: string): Promise<string> {
    const r = await this.rpc
      .send<GetIdentityPolicyReply>(Subjects.policy.getIdentityPolicy, {
        ...scope(caller, principalArn),
        principalArn,
        policyName,
      })
      .catch(asIam);
    return r.document;
  }

  async list(caller: string, principalArn: string): Promise<string[]> {
    const r = await this.rpc.send<ListIdentityPoliciesReply>(Subjects.policy.listIdentityPolicies, {
      ...scope(caller, principalArn),
      principalArn,
    });
    return r.policyNames;
  }

  /** Without a name: every policy of the principal. */
  delete(caller: string, principalArn: string, policyName?: string): Promise<unknown> {
    return this.rpc
      .send(Subjects.policy.deleteIdentityPolicy, {
        ...scope(caller, principalArn),
        principalArn,
        ...(policyName !== undefined ? { policyName } : {}),
      })
      .catch(asIam);
  }

  /**
   * Gives every unseeded user the default identity policy and marks it seeded. Idempotent: a user whose policy was
   * put but not marked gets the same policy again. Runs at start and then periodically, so a user whose policy
   * could not be attached at creation (policy service away) gets it soon after.
   */
  async seed(ds: DataSource): Promise<number> {
    const users = ds.getRepository(UserEntity);
    const pending = await users.find({ where: { identitySeeded: false } });
    for (const u of pending) {
      await this.put(u.arn, u.arn, DEFAULT_IDENTITY_POLICY_NAME, DEFAULT_IDENTITY_POLICY);
      await users.update({ accountId: u.accountId, userName: u.userName }, { identitySeeded: true });
    }
    if (pending.length > 0) logger.info({ users: pending.length }, 'default identity policies attached');
    return pending.length;
  }
}

/** IAM names a missing policy NoSuchEntityException. */
function asIam(e: unknown): never {
  if (e instanceof KmsError && e.code === ErrorCodes.NOT_FOUND)
    throw new AwsError('NoSuchEntityException', e.message);
  throw e;
}

function scope(caller: string, principalArn: string) {
  const account = /^arn:aws:iam::(\d{12}):/.exec(principalArn)?.[1] ?? '000000000000';
  return { requestId: `admin-${randomUUID()}`, tenantId: account, principal: caller };
}
