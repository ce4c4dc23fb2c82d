/**
 * Key policy conditions on the running platform, one condition key per test, each shown allowing and denying through
 * @aws-sdk/client-kms: principal and resource tags, source IP, transport, caller account, encryption algorithm,
 * re-encrypt to the same key, grant operations, encryption context keys, time, principal ARN and the ${aws:username}
 * policy variable. Users and their tags come from the SigV4-signed admin API.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  EncryptCommand,
  type KMSClient,
  ReEncryptCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';

import { type TestUser, adminOk, newUser as newTestUser } from './support/tenants.js';

jest.setTimeout(30_000);

const START_TIMEOUT = 240_000;
const HOUR_MS = 3_600_000;

type User = TestUser;

let platform: TestPlatform;
/** The platform's bootstrap administrator (user/admin of the first account). */
let adminKms: KMSClient;
let adminArn: string;
let accountA: string;
let userCount = 0;

beforeAll(async () => {
  platform = await startTestPlatform();
  adminKms = platform.kms();
  accountA = platform.credentials.accountId;
  adminArn = `arn:aws:iam::${accountA}:user/admin`;
}, START_TIMEOUT);

afterAll(async () => {
  await platform?.stop();
}, START_TIMEOUT);

const ok = (operation: string, body: Record<string, unknown>) => adminOk(platform, operation, body);
/** A new user of the admin's account with an access key. */
const newUser = (): Promise<User> => newTestUser(platform, `cond-user-${++userCount}`);

/** How a request ended: 'allowed', or the error name it failed with. */
const outcome = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'allowed';
  } catch (e) {
    return (e as Error).name;
  }
};

const DENIED = 'AccessDeniedException';

/** A key whose policy lets the admin do everything and `principal` do `action` under `condition`. */
const keyWith = async (
  principal: string,
  action: string | string[],
  condition: Record<string, Record<string, unknown>>,
): Promise<string> => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AdminEverything',
        Effect: 'Allow',
        Principal: { AWS: adminArn },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Conditional',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: action,
        Resource: '*',
        Condition: condition,
      },
    ],
  });
  const r = await adminKms.send(new CreateKeyCommand({ Policy: policy }));
  return r.KeyMetadata!.KeyId!;
};

const encrypt = (kms: KMSClient, keyId: string, context?: Record<string, string>) =>
  kms.send(
    new EncryptCommand({
      KeyId: keyId,
      Plaintext: randomBytes(16),
      ...(context ? { EncryptionContext: context } : {}),
    }),
  );

/** The outcome of one Encrypt by `user` under each of two keys made with `allowing` and `denying` conditions. */
const encryptUnder = async (
  user: User,
  allowing: Record<string, Record<string, unknown>>,
  denying: Record<string, Record<string, unknown>>,
): Promise<[string, string]> => {
  // One after the other: concurrent CreateKey calls can fail on the coordinator's shared SQLite connection.
  const a = await keyWith(user.arn, 'kms:Encrypt', allowing);
  const d = await keyWith(user.arn, 'kms:Encrypt', denying);
  const kms = platform.kms(user);
  return [await outcome(encrypt(kms, a)), await outcome(encrypt(kms, d))];
};

describe('Key policy condition keys (running platform)', () => {
  it('should allow only while the user carries the tag when the key policy names aws:PrincipalTag/team', async () => {
    const u = await newUser();
    const key = await keyWith(u.arn, 'kms:Encrypt', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } });
    const kms = platform.kms(u);

    expect(await outcome(encrypt(kms, key))).toBe(DENIED);
    await ok('TagUser', { UserName: u.userName, Tags: [{ Key: 'team', Value: 'blue' }] });
    const listed = await ok('ListUserTags', { UserName: u.userName });
    expect(listed).toEqual({ Tags: [{ Key: 'team', Value: 'blue' }], IsTruncated: false });
    expect(await outcome(encrypt(kms, key))).toBe('allowed');

    await ok('TagUser', { UserName: u.userName, Tags: [{ Key: 'team', Value: 'red' }] });
    expect(await outcome(encrypt(kms, key))).toBe(DENIED);
    await ok('TagUser', { UserName: u.userName, Tags: [{ Key: 'team', Value: 'blue' }] });
    expect(await outcome(encrypt(kms, key))).toBe('allowed');

    await ok('UntagUser', { UserName: u.userName, TagKeys: ['team'] });
    expect(await outcome(encrypt(kms, key))).toBe(DENIED);
  });

  it('should allow only while the key carries the tag when the key policy names aws:ResourceTag/env', async () => {
    const u = await newUser();
    const key = await keyWith(u.arn, 'kms:Encrypt', { StringEquals: { 'aws:ResourceTag/env': 'prod' } });
    const kms = platform.kms(u);
    const tag = (value: string) =>
      adminKms.send(new TagResourceCommand({ KeyId: key, Tags: [{ TagKey: 'env', TagValue: value }] }));

    expect(await outcome(encrypt(kms, key))).toBe(DENIED);
    await tag('prod');
    expect(await outcome(encrypt(kms, key))).toBe('allowed');
    await tag('dev');
    expect(await outcome(encrypt(kms, key))).toBe(DENIED);
  });

  it('should allow from 127.0.0.0/8 and deny from 10.0.0.0/8 when the key policy names aws:SourceIp', async () => {
    const u = await newUser();
    expect(
      await encryptUnder(
        u,
        { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
        { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should treat plain HTTP as insecure when the key policy names aws:SecureTransport', async () => {
    const u = await newUser();
    expect(
      await encryptUnder(
        u,
        { Bool: { 'aws:SecureTransport': 'false' } },
        { Bool: { 'aws:SecureTransport': 'true' } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should allow only the named account when the key policy names kms:CallerAccount', async () => {
    const u = await newUser();
    const other = accountA === '111122223333' ? '444455556666' : '111122223333';
    expect(
      await encryptUnder(
        u,
        { StringEquals: { 'kms:CallerAccount': accountA } },
        { StringEquals: { 'kms:CallerAccount': other } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should see SYMMETRIC_DEFAULT for Encrypt when the key policy names kms:EncryptionAlgorithm', async () => {
    const u = await newUser();
    expect(
      await encryptUnder(
        u,
        { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
        { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should re-encrypt to the same key but not to another when the key policy requires kms:ReEncryptOnSameKey', async () => {
    const u = await newUser();
    const source = await keyWith(u.arn, 'kms:ReEncrypt*', { Bool: { 'kms:ReEncryptOnSameKey': 'true' } });
    const other = await keyWith(u.arn, 'kms:ReEncrypt*', { Bool: { 'kms:ReEncryptOnSameKey': 'false' } });
    const blob = (await encrypt(adminKms, source)).CiphertextBlob!;
    const kms = platform.kms(u);
    const reEncrypt = (to: string) =>
      kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: to }));

    expect(await outcome(reEncrypt(source))).toBe('allowed');
    expect(await outcome(reEncrypt(other))).toBe(DENIED);
  });

  it('should create a grant only for operations within the list when the key policy names kms:GrantOperations', async () => {
    const u = await newUser();
    const grantee = await newUser();
    const key = await keyWith(u.arn, 'kms:CreateGrant', {
      'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] },
    });
    const kms = platform.kms(u);
    const grant = (operations: ('Encrypt' | 'Decrypt' | 'ReEncryptFrom')[]) =>
      kms.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: grantee.arn, Operations: operations }));

    expect(await outcome(grant(['Decrypt']))).toBe('allowed');
    expect(await outcome(grant(['Encrypt', 'Decrypt']))).toBe('allowed');
    expect(await outcome(grant(['Decrypt', 'ReEncryptFrom']))).toBe(DENIED);
  });

  it('should allow only context keys from the list when the key policy names kms:EncryptionContextKeys', async () => {
    const u = await newUser();
    const key = await keyWith(u.arn, 'kms:Encrypt', {
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['dept', 'project'] },
    });
    const kms = platform.kms(u);

    expect(await outcome(encrypt(kms, key, { dept: 'finance' }))).toBe('allowed');
    expect(await outcome(encrypt(kms, key, { dept: 'finance', project: 'x' }))).toBe('allowed');
    expect(await outcome(encrypt(kms, key, { dept: 'finance', owner: 'mallory' }))).toBe(DENIED);
  });

  it('should compare the request time when the key policy names aws:CurrentTime with DateGreaterThan', async () => {
    const u = await newUser();
    const past = new Date(Date.now() - HOUR_MS).toISOString();
    const future = new Date(Date.now() + HOUR_MS).toISOString();
    expect(
      await encryptUnder(
        u,
        { DateGreaterThan: { 'aws:CurrentTime': past } },
        { DateGreaterThan: { 'aws:CurrentTime': future } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should compare epoch seconds when the key policy names aws:EpochTime with NumericLessThan', async () => {
    const u = await newUser();
    const seconds = Math.floor(Date.now() / 1000);
    expect(
      await encryptUnder(
        u,
        { NumericLessThan: { 'aws:EpochTime': String(seconds + 3600) } },
        { NumericLessThan: { 'aws:EpochTime': String(seconds - 3600) } },
      ),
    ).toEqual(['allowed', DENIED]);
  });

  it('should allow only the matching user when a Principal "*" statement names aws:PrincipalArn with ArnLike', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = await keyWith('*', 'kms:Encrypt', {
      ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:user/${alice.userName}` },
    });

    expect(await outcome(encrypt(platform.kms(alice), key))).toBe('allowed');
    expect(await outcome(encrypt(platform.kms(bob), key))).toBe(DENIED);
  });

  it('should substitute the caller name when a condition holds the ${aws:username} policy variable', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = await keyWith('*', 'kms:Encrypt', {
      StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' },
    });

    expect(await outcome(encrypt(platform.kms(alice), key, { owner: alice.userName }))).toBe('allowed');
    expect(await outcome(encrypt(platform.kms(bob), key, { owner: bob.userName }))).toBe('allowed');
    expect(await outcome(encrypt(platform.kms(bob), key, { owner: alice.userName }))).toBe(DENIED);
    expect(await outcome(encrypt(platform.kms(alice), key, { owner: '${aws:username}' }))).toBe(DENIED);
  });
});
