/**
 * Concurrent writes on the embedded SQLite default: key creation, users and access keys, key policies and grants made
 * at the same time all succeed and all are stored (SQLite has one connection per service: ADR 0009's notes, and
 * libs/platform serializeSqliteConnection).
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  GetKeyPolicyCommand,
  ListGrantsCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';

import { symbolonCall } from './support/tenants.js';

jest.setTimeout(120_000);

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

const admin = async (operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
  const res = await symbolonCall(platform, operation, body);
  return { status: res.status, ...res.body };
};

describe('concurrent writes on SQLite', () => {
  it('should create every key when 16 CreateKey requests run at once', async () => {
    const kms = platform.kms();
    const created = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        kms.send(new CreateKeyCommand({ Description: `concurrent ${i}` })),
      ),
    );
    const ids = new Set(created.map((c) => c.KeyMetadata!.KeyId!));
    expect(ids.size).toBe(16);
    const listed = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    for (const id of ids) expect(listed.Keys!.some((k) => k.KeyId === id)).toBe(true);
  });

  it('should create every user and access key when 8 users are made and given keys at once', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const users = await Promise.all(names.map((UserName) => admin('CreateUser', { UserName })));
    expect(users.map((u) => u['status'])).toEqual(names.map(() => 200));
    const keys = await Promise.all(names.map((UserName) => admin('CreateAccessKey', { UserName })));
    expect(keys.map((k) => k['status'])).toEqual(names.map(() => 200));
    const policies = await Promise.all(names.map((UserName) => admin('ListUserPolicies', { UserName })));
    for (const p of policies) expect(p['PolicyNames']).toEqual(['SymbolonDefaultKmsAccess']);
  });

  it('should store every grant and the last key policy when grants and policy changes run at once', async () => {
    const kms = platform.kms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const account = platform.credentials.accountId;
    const policy = (sid: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      });
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) =>
        kms.send(
          new CreateGrantCommand({
            KeyId: keyId,
            GranteePrincipal: `arn:aws:iam::${account}:user/grantee-${i}`,
            Operations: ['Decrypt'],
          }),
        ),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy(`S${i}`) })),
      ),
    ]);
    const grants = await kms.send(new ListGrantsCommand({ KeyId: keyId, Limit: 100 }));
    expect(grants.Grants!.length).toBe(12);
    // One of the four policies, whole: concurrent writes never mix or lose it.
    const stored = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!;
    expect([0, 1, 2, 3].map((i) => policy(`S${i}`))).toContain(stored);
  });
});
