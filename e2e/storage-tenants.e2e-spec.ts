/**
 * Who reaches the storage service's S3 API (issue 8, ADR 0017): a bucket belongs to its tenant, and another tenant
 * sees it exactly as a bucket that does not exist (NoSuchBucket) and may hold a bucket of the same name, separate;
 * the S3 API takes the same access keys as the KMS API, and one disabled through the admin API stops working for S3
 * once the storage service's signing-key cache lets go of it (1 s here, SYMBOLON_SIGNING_KEY_CACHE_TTL_MS).
 */
import { ListKeysCommand } from '@aws-sdk/client-kms';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Credentials, type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

import {
  awsS3,
  bucketName,
  cliErrorCode,
  refusalOf,
  sha256Hex,
  sha256OfStream,
  waitFor,
} from './support/s3.js';
import { type TestUser, adminOk, newAccount, newUser, symbolonCall } from './support/tenants.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const SIGNING_KEY_CACHE_TTL_MS = 1000;

let platform: TestPlatform;
/** The admin's account (the first tenant) and a second tenant with its own access key. */
let s3: S3Client;
let other: TestUser;
let otherS3: S3Client;

beforeAll(async () => {
  platform = await startTestPlatform({
    env: { SYMBOLON_SIGNING_KEY_CACHE_TTL_MS: String(SIGNING_KEY_CACHE_TTL_MS) },
  });
  s3 = platform.s3();
  const accountId = await newAccount(platform, 'e2e-storage-other');
  other = await newUser(platform, 'other-tenant-user', { accountId });
  otherS3 = platform.s3(other);
}, START_TIMEOUT);

afterAll(async () => {
  s3?.destroy();
  otherS3?.destroy();
  await platform?.stop();
}, START_TIMEOUT);

const bucketNames = async (client: S3Client): Promise<string[]> =>
  ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!);

const keysIn = async (client: S3Client, bucket: string): Promise<string[]> =>
  ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((c) => c.Key!);

async function bodyOf(client: S3Client, bucket: string, key: string): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return sha256OfStream(got.Body as Readable);
}

describe('S3 tenant isolation', () => {
  it("should answer another tenant NoSuchBucket for every operation on a tenant's bucket, as for a missing one", async () => {
    const bucket = bucketName('tenant-private');
    const missing = bucketName('tenant-missing');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = randomBytes(2048);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.bin', Body: body }));
    const own = bucketName('tenant-other-own');
    await otherS3.send(new CreateBucketCommand({ Bucket: own }));

    /** What the other tenant gets for a bucket name: the first tenant's bucket, then a name nobody holds. */
    const calls: [string, (b: string) => Promise<unknown>][] = [
      ['ListObjectsV2', (b) => otherS3.send(new ListObjectsV2Command({ Bucket: b }))],
      ['HeadBucket', (b) => otherS3.send(new HeadBucketCommand({ Bucket: b }))],
      ['GetBucketLocation', (b) => otherS3.send(new GetBucketLocationCommand({ Bucket: b }))],
      ['HeadObject', (b) => otherS3.send(new HeadObjectCommand({ Bucket: b, Key: 'secret.bin' }))],
      ['GetObject', (b) => otherS3.send(new GetObjectCommand({ Bucket: b, Key: 'secret.bin' }))],
      ['PutObject', (b) => otherS3.send(new PutObjectCommand({ Bucket: b, Key: 'planted', Body: 'x' }))],
      ['DeleteObject', (b) => otherS3.send(new DeleteObjectCommand({ Bucket: b, Key: 'secret.bin' }))],
      [
        'DeleteObjects',
        (b) =>
          otherS3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'secret.bin' }] } })),
      ],
      [
        'CreateMultipartUpload',
        (b) => otherS3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'planted' })),
      ],
      [
        'CopyObject',
        (b) =>
          otherS3.send(new CopyObjectCommand({ Bucket: own, Key: 'stolen', CopySource: `${b}/secret.bin` })),
      ],
      ['DeleteBucket', (b) => otherS3.send(new DeleteBucketCommand({ Bucket: b }))],
    ];
    for (const [operation, call] of calls) {
      const theirs = await refusalOf(call(bucket));
      const nobodys = await refusalOf(call(missing));
      expect({ operation, ...theirs }).toEqual({ operation, ...nobodys });
      // HEAD has no body: the status alone, as for any missing bucket.
      expect({ operation, ...theirs }).toEqual({
        operation,
        code: operation === 'HeadBucket' || operation === 'HeadObject' ? 'NotFound' : 'NoSuchBucket',
        status: 404,
      });
    }
    const cli = await awsS3(platform, ['s3', 'ls', `s3://${bucket}`], { credentials: other });
    expect(cliErrorCode(cli)).toBe('NoSuchBucket');

    // Nothing the other tenant tried reached the bucket.
    expect(await keysIn(s3, bucket)).toEqual(['secret.bin']);
    expect(await bodyOf(s3, bucket, 'secret.bin')).toBe(sha256Hex(body));
    expect(await keysIn(otherS3, own)).toEqual([]);
    expect(await bucketNames(otherS3)).not.toContain(bucket);
  });

  it('should let another tenant create a bucket of the same name, kept apart from the first', async () => {
    const bucket = bucketName('tenant-same-name');
    const onlyFirst = bucketName('tenant-only-first');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: onlyFirst }));
    const firstBody = randomBytes(1000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared-key', Body: firstBody }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'first-only', Body: 'first' }));

    await otherS3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(await keysIn(otherS3, bucket)).toEqual([]);
    const otherBody = randomBytes(1000);
    await otherS3.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared-key', Body: otherBody }));

    const firstList = await bucketNames(s3);
    const otherList = await bucketNames(otherS3);
    expect(firstList).toEqual(expect.arrayContaining([bucket, onlyFirst]));
    expect(otherList).toContain(bucket);
    expect(otherList).not.toContain(onlyFirst);

    expect(await keysIn(s3, bucket)).toEqual(['first-only', 'shared-key']);
    expect(await keysIn(otherS3, bucket)).toEqual(['shared-key']);
    expect(await bodyOf(s3, bucket, 'shared-key')).toBe(sha256Hex(firstBody));
    expect(await bodyOf(otherS3, bucket, 'shared-key')).toBe(sha256Hex(otherBody));

    // Emptying and deleting the other tenant's bucket leaves the first tenant's as it was.
    await otherS3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'shared-key' }));
    await otherS3.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await bucketNames(otherS3)).not.toContain(bucket);
    expect(await keysIn(s3, bucket)).toEqual(['first-only', 'shared-key']);
    expect(await bodyOf(s3, bucket, 'shared-key')).toBe(sha256Hex(firstBody));
  });
});

describe('S3 access keys', () => {
  it('should take the admin credentials for both the KMS API and the S3 API', async () => {
    const kms = platform.kms();
    try {
      expect((await kms.send(new ListKeysCommand({}))).$metadata.httpStatusCode).toBe(200);
    } finally {
      kms.destroy();
    }
    expect((await s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
    const cli = await awsS3(platform, ['s3api', 'list-buckets']);
    expect(cli.code).toBe(0);
  });

  it('should refuse an access key disabled through the admin API with InvalidAccessKeyId once its signing key expires', async () => {
    const bucket = bucketName('access-key');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // A second user of the admin's account reaches the account's buckets with its own key.
    const user = await newUser(platform, 's3-key-user');
    const userS3 = platform.s3(user);
    const userKms = platform.kms(user);
    const key = { AccountId: user.accountId, UserName: user.userName, AccessKeyId: user.accessKeyId };
    try {
      await userS3.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-user', Body: 'x' }));
      expect(await keysIn(s3, bucket)).toEqual(['by-user']);
      expect((await userKms.send(new ListKeysCommand({}))).$metadata.httpStatusCode).toBe(200);

      await adminOk(platform, 'UpdateAccessKey', { ...key, Status: 'Inactive' });
      // The storage service may use the cached signing key for SIGNING_KEY_CACHE_TTL_MS more; then never again.
      let last: { code: string; status: number | undefined } | undefined;
      await waitFor(
        'the disabled access key to be refused by the S3 API',
        async () => {
          last = await refusalOf(userS3.send(new ListBucketsCommand({}))).catch(() => undefined);
          return last !== undefined;
        },
        15_000,
      );
      expect(last).toEqual({ code: 'InvalidAccessKeyId', status: 403 });
      expect(
        await refusalOf(userS3.send(new PutObjectCommand({ Bucket: bucket, Key: 'late', Body: 'x' }))),
      ).toEqual({
        code: 'InvalidAccessKeyId',
        status: 403,
      });
      const cli = await awsS3(platform, ['s3api', 'list-buckets'], { credentials: user });
      expect(cliErrorCode(cli)).toBe('InvalidAccessKeyId');
      expect(await refusalOf(userKms.send(new ListKeysCommand({})))).toMatchObject({
        code: 'UnrecognizedClientException',
      });
      expect(await keysIn(s3, bucket)).toEqual(['by-user']);

      // Enabled again, it works again; deleted, it is refused as an unknown key.
      await adminOk(platform, 'UpdateAccessKey', { ...key, Status: 'Active' });
      await waitFor(
        'the enabled access key to be taken again',
        async () => (await userS3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode === 200,
        15_000,
      );
      await adminOk(platform, 'UpdateAccessKey', { ...key, Status: 'Inactive' });
      await adminOk(platform, 'DeleteAccessKey', key);
      await waitFor(
        'the deleted access key to be refused by the S3 API',
        async () => (await refusalOf(userS3.send(new ListBucketsCommand({})))).code === 'InvalidAccessKeyId',
        15_000,
      );
    } finally {
      userS3.destroy();
      userKms.destroy();
    }
  });
});

describe('S3 requests in the audit chain', () => {
  it("should record every S3 request, refused ones too, each in its own tenant's chain", async () => {
    const bucket = bucketName('audited');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.sym', Body: 'x' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    // The other tenant's attempt on this bucket is in its own chain, not in this one's.
    await expect(
      otherS3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.sym' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    // Stored in the events stream before each answer; the audit service files them into the chain soon after.
    const records = async (credentials: Credentials = platform.credentials) => {
      const res = await symbolonCall(
        platform,
        'ExportAuditChain',
        { Limit: 10000 },
        { service: 'Symbolon', credentials },
      );
      expect(res.status).toBe(200);
      const links = (res.body as { Links: { r?: string }[] }).Links;
      return links.filter((l) => l.r !== undefined).map((l) => JSON.parse(l.r!) as Record<string, unknown>);
    };
    const mine = async () =>
      (await records()).filter((r) => String(r['resource'] ?? '').startsWith(`/${bucket}`));
    await waitFor('the three records in the chain', async () => (await mine()).length >= 3);
    const own = await mine();
    expect(own.map((r) => [r['operation'], r['resource'], r['outcome'], r['httpStatus']])).toEqual([
      ['s3:CreateBucket', `/${bucket}`, 'ok', 200],
      ['s3:PutObject', `/${bucket}/a/b.sym`, 'ok', 200],
      ['s3:GetObject', `/${bucket}/missing`, 'NoSuchKey', 404],
    ]);
    expect(own[1]).toMatchObject({
      tenantId: platform.credentials.accountId,
      accessKeyId: platform.credentials.accessKeyId,
      keyArn: null,
    });
    const theirsOf = async () => (await records(other)).filter((r) => r['resource'] === `/${bucket}/a/b.sym`);
    await waitFor("the other tenant's record in its chain", async () => (await theirsOf()).length >= 1);
    const theirs = (await records(other)).filter((r) => r['resource'] === `/${bucket}/a/b.sym`);
    expect(theirs).toEqual([
      expect.objectContaining({
        operation: 's3:GetObject',
        outcome: 'NoSuchBucket',
        tenantId: other.accountId,
      }),
    ]);
  });
});
