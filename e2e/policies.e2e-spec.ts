/**
 * Policy enforcement on the running platform, driven by @aws-sdk/client-kms and the SigV4-signed admin API: key
 * policies (conditions, explicit deny, lockout safety check), identity policies, grants across accounts, and the
 * audit record of a refused request.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  ListGrantsCommand,
  ListKeyPoliciesCommand,
  ListRetirableGrantsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import {
  type TestUser,
  adminOk,
  newAccount as newTestAccount,
  newUser as newTestUser,
  symbolonCall,
} from './support/tenants.js';

jest.setTimeout(60_000);

const START_TIMEOUT = 240_000;
const AUDIT_WAIT_MS = 5_000;

type User = TestUser;

interface Failure {
  name: string;
  message: string;
  requestId: string | undefined;
}

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

const admin = (operation: string, body: Record<string, unknown>) => symbolonCall(platform, operation, body);
const ok = (operation: string, body: Record<string, unknown>) => adminOk(platform, operation, body);
const newUser = (opts: { accountId?: string; attachDefaultPolicy?: boolean } = {}): Promise<User> =>
  newTestUser(platform, `user-${++userCount}`, opts);
const newAccount = (name: string): Promise<string> => newTestAccount(platform, name);

/** The error a request failed with (the SDK names it after the answer's __type); fails the test if it succeeded. */
const failure = async (p: Promise<unknown>): Promise<Failure> => {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { requestId?: string } };
    return { name: err.name, message: err.message, requestId: err.$metadata?.requestId };
  }
  throw new Error('the request succeeded but was expected to fail');
};

const statement = (sid: string, effect: 'Allow' | 'Deny', principal: string, action: string | string[]) => ({
  Sid: sid,
  Effect: effect,
  Principal: { AWS: principal },
  Action: action,
  Resource: '*',
});

const adminEverything = () => statement('AdminEverything', 'Allow', adminArn, 'kms:*');

const policyOf = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

const createKey = async (policy?: string): Promise<{ keyId: string; arn: string }> => {
  const r = await adminKms.send(new CreateKeyCommand(policy !== undefined ? { Policy: policy } : {}));
  return { keyId: r.KeyMetadata!.KeyId!, arn: r.KeyMetadata!.Arn! };
};

const encrypt = async (kms: KMSClient, keyId: string, context?: Record<string, string>) => {
  const plaintext = randomBytes(32);
  const r = await kms.send(
    new EncryptCommand({
      KeyId: keyId,
      Plaintext: plaintext,
      ...(context ? { EncryptionContext: context } : {}),
    }),
  );
  return { plaintext, blob: r.CiphertextBlob! };
};

const same = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The audit record of one request, read from the audit service's database (records are written asynchronously). */
const auditRecord = async (
  requestId: string,
): Promise<{ decision: { effect: string; reason: string } | null; outcome: string } | undefined> => {
  const deadline = Date.now() + AUDIT_WAIT_MS;
  for (;;) {
    const db = new Database(join(platform.dataDir, 'db', 'audit.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT record FROM audit_records WHERE request_id = ?').get(requestId) as
        { record: string } | undefined;
      if (row)
        return JSON.parse(row.record) as { decision: { effect: string; reason: string }; outcome: string };
    } finally {
      db.close();
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('Key policies, identity policies and grants (running platform)', () => {
  it('should decrypt only with the encryption context the condition names when a key policy allows kms:Decrypt under StringEquals', async () => {
    const u = await newUser();
    const key = await createKey(
      policyOf(adminEverything(), {
        ...statement('FinanceDecrypt', 'Allow', u.arn, 'kms:Decrypt'),
        Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } },
      }),
    );
    const finance = await encrypt(adminKms, key.keyId, { dept: 'finance' });
    const hr = await encrypt(adminKms, key.keyId, { dept: 'hr' });
    const kms = platform.kms(u);

    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: finance.blob, EncryptionContext: { dept: 'finance' } }),
    );
    expect(same(dec.Plaintext, finance.plaintext)).toBe(true);

    const denied = await failure(
      kms.send(new DecryptCommand({ CiphertextBlob: hr.blob, EncryptionContext: { dept: 'hr' } })),
    );
    expect(denied.name).toBe('AccessDeniedException');
  });

  it('should refuse Encrypt naming the explicit deny and audit the Deny statement when the key policy denies kms:Encrypt to the caller', async () => {
    const u = await newUser();
    const key = await createKey(
      policyOf(
        adminEverything(),
        statement('UserUse', 'Allow', u.arn, 'kms:*'),
        statement('DenyEncryptForUser', 'Deny', u.arn, 'kms:Encrypt'),
      ),
    );
    const denied = await failure(encrypt(platform.kms(u), key.keyId));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('explicit deny');
    expect(denied.requestId).toBeDefined();

    const record = await auditRecord(denied.requestId!);
    expect(record).toBeDefined();
    expect(record!.outcome).toBe('AccessDeniedException');
    expect(record!.decision?.effect).toBe('DENY');
    expect(record!.decision?.reason).toContain('"DenyEncryptForUser"');
  });

  it('should let another account decrypt with the key ARN only while it holds a grant when the owner grants Decrypt', async () => {
    const accountB = await newAccount('policies-b');
    const bob = await newUser({ accountId: accountB });
    const key = await createKey();
    const secret = await encrypt(adminKms, key.keyId);
    const bobKms = platform.kms(bob);
    const decrypt = () => bobKms.send(new DecryptCommand({ CiphertextBlob: secret.blob, KeyId: key.arn }));

    expect((await failure(decrypt())).name).toBe('AccessDeniedException');

    const grant = await adminKms.send(
      new CreateGrantCommand({ KeyId: key.keyId, GranteePrincipal: bob.arn, Operations: ['Decrypt'] }),
    );
    const dec = await decrypt();
    expect(same(dec.Plaintext, secret.plaintext)).toBe(true);

    const listed = await adminKms.send(new ListGrantsCommand({ KeyId: key.keyId }));
    expect(listed.Grants).toEqual([
      expect.objectContaining({
        GrantId: grant.GrantId,
        KeyId: key.arn,
        GranteePrincipal: bob.arn,
        Operations: ['Decrypt'],
      }),
    ]);

    await adminKms.send(new RevokeGrantCommand({ KeyId: key.keyId, GrantId: grant.GrantId! }));
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');
  });

  it('should re-encrypt to another key but refuse Decrypt when the key policy allows kms:ReEncrypt* and not kms:Decrypt', async () => {
    const u = await newUser();
    const source = await createKey(
      policyOf(adminEverything(), statement('RekeyOnly', 'Allow', u.arn, 'kms:ReEncrypt*')),
    );
    const destination = await createKey();
    const secret = await encrypt(adminKms, source.keyId);
    const kms = platform.kms(u);

    const re = await kms.send(
      new ReEncryptCommand({ CiphertextBlob: secret.blob, DestinationKeyId: destination.keyId }),
    );
    expect(re.SourceKeyId).toBe(source.arn);
    expect(re.KeyId).toBe(destination.arn);
    const back = await adminKms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob! }));
    expect(same(back.Plaintext, secret.plaintext)).toBe(true);

    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: secret.blob })))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('should follow identity policies put and deleted through the admin API at the next request when they change', async () => {
    const u = await newUser();
    const key = await createKey();
    const kms = platform.kms(u);
    const generate = () => kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' }));
    expect((await generate()).Plaintext).toHaveLength(32);

    await ok('PutUserPolicy', {
      UserName: u.userName,
      PolicyName: 'NoDataKeys',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'kms:GenerateDataKey', Resource: '*' }],
      }),
    });
    expect((await failure(generate())).name).toBe('AccessDeniedException');

    await ok('DeleteUserPolicy', { UserName: u.userName, PolicyName: 'NoDataKeys' });
    expect((await generate()).Plaintext).toHaveLength(32);

    const bare = await newUser({ attachDefaultPolicy: false });
    const bareKms = platform.kms(bare);
    expect((await failure(bareKms.send(new CreateKeyCommand({})))).name).toBe('AccessDeniedException');
    await ok('PutUserPolicy', {
      UserName: bare.userName,
      PolicyName: 'MayCreateKeys',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }],
      }),
    });
    const created = await bareKms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata?.AWSAccountId).toBe(accountA);
  });

  it('should answer the exact AWS error type when policy and grant inputs are invalid', async () => {
    const key = await createKey();
    const other = await newUser();
    const putPolicy = (policy: string, bypass?: boolean) =>
      adminKms.send(
        new PutKeyPolicyCommand({
          KeyId: key.keyId,
          Policy: policy,
          ...(bypass !== undefined ? { BypassPolicyLockoutSafetyCheck: bypass } : {}),
        }),
      );
    const errorOf = async (p: Promise<unknown>) => (await failure(p)).name;

    expect(await errorOf(putPolicy('{"Version": "2012-10-17", "Statement": ['))).toBe(
      'MalformedPolicyDocumentException',
    );
    expect(
      await errorOf(
        putPolicy(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Principal: { AWS: adminArn }, Action: 'kms:*', Resource: '*' }],
          }),
        ),
      ),
    ).toBe('MalformedPolicyDocumentException');
    const lockout = policyOf(statement('OnlyOther', 'Allow', other.arn, 'kms:*'));
    expect(await errorOf(putPolicy(lockout))).toBe('MalformedPolicyDocumentException');
    expect(await errorOf(putPolicy(lockout, false))).toBe('MalformedPolicyDocumentException');

    expect(
      await errorOf(adminKms.send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'other' }))),
    ).toBe('ValidationException');
    expect(
      await errorOf(
        adminKms.send(
          new CreateGrantCommand({
            KeyId: key.keyId,
            GranteePrincipal: 'not-an-arn',
            Operations: ['Decrypt'],
          }),
        ),
      ),
    ).toBe('InvalidArnException');
    expect(
      await errorOf(
        adminKms.send(
          new CreateGrantCommand({ KeyId: key.keyId, GranteePrincipal: other.arn, Operations: ['Sign'] }),
        ),
      ),
    ).toBe('ValidationException');
    expect(
      await errorOf(
        adminKms.send(
          new EncryptCommand({ KeyId: key.keyId, Plaintext: randomBytes(8), GrantTokens: ['bogus'] }),
        ),
      ),
    ).toBe('InvalidGrantTokenException');
    expect(await errorOf(adminKms.send(new RevokeGrantCommand({ KeyId: key.keyId, GrantId: 'xyz' })))).toBe(
      'InvalidGrantIdException',
    );
    expect(
      await errorOf(
        adminKms.send(new RevokeGrantCommand({ KeyId: key.keyId, GrantId: randomBytes(32).toString('hex') })),
      ),
    ).toBe('NotFoundException');

    const missing = await admin('GetUserPolicy', { UserName: other.userName, PolicyName: 'NoSuchPolicy' });
    expect(missing.body['__type']).toBe('NoSuchEntityException');

    // Last: the bypass locks the admin out of this key for good.
    await putPolicy(lockout, true);
    expect(await errorOf(adminKms.send(new GetKeyPolicyCommand({ KeyId: key.keyId })))).toBe(
      'AccessDeniedException',
    );
  });

  it('should answer MalformedPolicyDocumentException when a key policy is over 32768 bytes', async () => {
    const key = await createKey();
    const fine = policyOf(adminEverything());
    const putPolicy = (policy: string) =>
      adminKms.send(new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: policy }));
    // Fewer than 32768 characters, more than 32768 bytes (two bytes each in UTF-8).
    const wide = `${fine.slice(0, -1)},"Id":"${'\u00e9'.repeat(20_000)}"}`;
    expect(wide.length).toBeLessThan(32_768);
    expect(Buffer.byteLength(wide)).toBeGreaterThan(32_768);
    expect((await failure(putPolicy(wide))).name).toBe('MalformedPolicyDocumentException');

    // More than 32768 characters, well within the API's 131072: still the policy service's size limit, not a
    // ValidationException from a request bound.
    const long = fine + ' '.repeat(32_769 - fine.length);
    expect((await failure(putPolicy(long))).name).toBe('MalformedPolicyDocumentException');
    expect((await failure(adminKms.send(new CreateKeyCommand({ Policy: long })))).name).toBe(
      'MalformedPolicyDocumentException',
    );
  });

  it('should return the default policy and store a given one byte for byte when keys are created', async () => {
    const plain = await createKey();
    const got = await adminKms.send(new GetKeyPolicyCommand({ KeyId: plain.keyId, PolicyName: 'default' }));
    expect(got.PolicyName).toBe('default');
    const doc = JSON.parse(got.Policy!) as { Statement: Record<string, unknown>[] };
    expect(doc.Statement).toEqual([
      expect.objectContaining({
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountA}:root` },
        Action: 'kms:*',
        Resource: '*',
      }),
    ]);
    const names = await adminKms.send(new ListKeyPoliciesCommand({ KeyId: plain.keyId }));
    expect(names.PolicyNames).toEqual(['default']);

    // Unusual spacing and member order: a store that re-serialized the document would not give it back as is.
    const text = `{ "Statement" : [ {"Resource":"*", "Action" : ["kms:*"], "Principal": {"AWS": "${adminArn}"},\n\t"Effect":"Allow", "Sid":"Admin"} ],\n  "Version":"2012-10-17" }`;
    const custom = await createKey(text);
    const stored = await adminKms.send(new GetKeyPolicyCommand({ KeyId: custom.keyId }));
    expect(stored.Policy).toBe(text);
  });

  it('should list, retire and then stop honouring a grant when its retiring principal retires it by token', async () => {
    const grantee = await newUser({ attachDefaultPolicy: false });
    const key = await createKey();
    const secret = await encrypt(adminKms, key.keyId);
    const kms = platform.kms(grantee);
    const decrypt = () => kms.send(new DecryptCommand({ CiphertextBlob: secret.blob }));

    const grant = await adminKms.send(
      new CreateGrantCommand({
        KeyId: key.keyId,
        GranteePrincipal: grantee.arn,
        RetiringPrincipal: adminArn,
        Operations: ['Decrypt'],
      }),
    );
    expect(same((await decrypt()).Plaintext, secret.plaintext)).toBe(true);

    const retirable = await adminKms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: adminArn }));
    expect(retirable.Grants).toContainEqual(
      expect.objectContaining({ GrantId: grant.GrantId, KeyId: key.arn, RetiringPrincipal: adminArn }),
    );

    await adminKms.send(new RetireGrantCommand({ GrantToken: grant.GrantToken! }));
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');
    const left = await adminKms.send(new ListGrantsCommand({ KeyId: key.keyId }));
    expect(left.Grants).toEqual([]);
  });
});
