/** Accounts, users and Symbolon's own operations on a running platform, for the e2e suites. */
import { expect } from '@jest/globals';
import type { Credentials, TestPlatform } from '@symbolon/testing';

import { type AdminResponse, callAdmin } from '../../apps/cli/src/admin-client.js';

export interface TestUser extends Credentials {
  userName: string;
  arn: string;
}

/** A SigV4-signed call of `SymbolonAdmin.<operation>` (or `Symbolon.<operation>`), by the admin unless told otherwise. */
export function symbolonCall(
  platform: TestPlatform,
  operation: string,
  body: Record<string, unknown>,
  opts: { service?: 'SymbolonAdmin' | 'Symbolon'; credentials?: Credentials } = {},
): Promise<AdminResponse> {
  return callAdmin({
    endpoint: platform.endpoint,
    credentials: opts.credentials ?? platform.credentials,
    region: platform.credentials.region,
    operation,
    body,
    ...(opts.service ? { service: opts.service } : {}),
  });
}

/** An admin call that must succeed; its answer. */
export async function adminOk(
  platform: TestPlatform,
  operation: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await symbolonCall(platform, operation, body);
  expect({ operation, status: res.status, type: res.body['__type'] }).toEqual({
    operation,
    status: 200,
    type: undefined,
  });
  return res.body;
}

export async function newAccount(platform: TestPlatform, name: string): Promise<string> {
  return (
    (await adminOk(platform, 'CreateAccount', { AccountName: name }))['Account'] as { AccountId: string }
  ).AccountId;
}

/** A new user with an access key, in the admin's account unless told otherwise. */
export async function newUser(
  platform: TestPlatform,
  userName: string,
  opts: { accountId?: string; attachDefaultPolicy?: boolean } = {},
): Promise<TestUser> {
  const accountId = opts.accountId ?? platform.credentials.accountId;
  await adminOk(platform, 'CreateUser', {
    AccountId: accountId,
    UserName: userName,
    ...(opts.attachDefaultPolicy !== undefined ? { AttachDefaultPolicy: opts.attachDefaultPolicy } : {}),
  });
  const key = (await adminOk(platform, 'CreateAccessKey', { AccountId: accountId, UserName: userName }))[
    'AccessKey'
  ] as { AccessKeyId: string; SecretAccessKey: string };
  return {
    accountId,
    userName,
    arn: `arn:aws:iam::${accountId}:user/${userName}`,
    accessKeyId: key.AccessKeyId,
    secretAccessKey: key.SecretAccessKey,
    region: platform.credentials.region,
  };
}
