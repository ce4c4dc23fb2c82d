/**
 * The storage service's S3 API refusing bad inputs (issue 8), each with S3's own error code and HTTP status, through
 * @aws-sdk/client-s3 (which reports both), the aws cli (the code) or a raw signed request (what no client sends:
 * a body shorter than its Content-Length, no signature at all). A refused write leaves no object behind.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { BlobFiles } from './support/clients.js';
import {
  awsS3,
  bucketName,
  cliErrorCode,
  md5Base64,
  newBucket,
  openS3Socket,
  parseRawAnswer,
  refusalOf,
  sha256Hex,
  sha256OfStream,
  signedHead,
  waitFor,
} from './support/s3.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const MiB = 1024 * 1024;

let platform: TestPlatform;
let s3: S3Client;
const files = new BlobFiles();

beforeAll(async () => {
  platform = await startTestPlatform();
  s3 = platform.s3();
}, START_TIMEOUT);

afterAll(async () => {
  s3?.destroy();
  await platform?.stop();
  files.dispose();
}, START_TIMEOUT);

/** Whether the key holds no object: HEAD is 404 and GET is NoSuchKey. */
async function expectNoObject(bucket: string, key: string): Promise<void> {
  expect(await refusalOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).toEqual({
    code: 'NotFound',
    status: 404,
  });
  expect(await refusalOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toEqual({
    code: 'NoSuchKey',
    status: 404,
  });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  expect((listed.Contents ?? []).map((c) => c.Key)).not.toContain(key);
}

describe('S3 bad inputs', () => {
  it.each(['Bad_Name', 'ab', '192.168.1.1', 'a..b'])(
    'should answer InvalidBucketName (400) when a bucket is named %s',
    async (name) => {
      expect(await refusalOf(s3.send(new CreateBucketCommand({ Bucket: name })))).toEqual({
        code: 'InvalidBucketName',
        status: 400,
      });
      expect(cliErrorCode(await awsS3(platform, ['s3api', 'create-bucket', '--bucket', name]))).toBe(
        'InvalidBucketName',
      );
      const { Buckets } = await s3.send(new ListBucketsCommand({}));
      expect((Buckets ?? []).map((b) => b.Name)).not.toContain(name);
    },
  );

  it('should answer KeyTooLongError (400) when a key is 1025 UTF-8 bytes, and accept 1024', async () => {
    const bucket = await newBucket(s3, 'bad-key');
    // 513 characters, 1025 bytes: the limit counts bytes.
    const tooLong = 'é'.repeat(512) + 'x';
    expect(Buffer.byteLength(tooLong)).toBe(1025);
    expect(
      await refusalOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: tooLong, Body: 'x' }))),
    ).toEqual({
      code: 'KeyTooLongError',
      status: 400,
    });
    const longest = 'é'.repeat(512);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: longest, Body: 'longest' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((c) => c.Key)).toEqual([longest]);
  });

  it('should answer BadDigest (400) when the Content-MD5 is wrong, and store nothing', async () => {
    const bucket = await newBucket(s3, 'bad-md5');
    const body = randomBytes(64 * 1024);
    const wrongMd5 = md5Base64(randomBytes(16));
    expect(
      await refusalOf(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'fresh', Body: body, ContentMD5: wrongMd5 })),
      ),
    ).toEqual({ code: 'BadDigest', status: 400 });
    await expectNoObject(bucket, 'fresh');

    // Through the aws cli too; and a wrong digest does not replace what the key held.
    const first = randomBytes(1000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: first }));
    const r = await awsS3(platform, [
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'kept',
      '--body',
      files.fileb(body).slice('fileb://'.length),
      '--content-md5',
      wrongMd5,
    ]);
    expect(cliErrorCode(r)).toBe('BadDigest');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' }));
    expect(await sha256OfStream(got.Body as Readable)).toBe(sha256Hex(first));
  });

  it('should answer IncompleteBody (400) when a body is shorter than its Content-Length, and store nothing', async () => {
    const bucket = await newBucket(s3, 'bad-truncated');
    const declared = randomBytes(MiB);
    const head = (key: string) =>
      signedHead(platform, {
        method: 'PUT',
        path: `/${bucket}/${key}`,
        headers: { 'content-length': String(declared.length), 'content-type': 'application/octet-stream' },
        // Signed for the whole body: only its length is wrong.
        payloadHash: sha256Hex(declared),
      });

    // The client stops sending (half-close) after 100 000 of the 1 MiB it promised, and reads the answer.
    const halfClosed = await openS3Socket(platform);
    halfClosed.socket.write(await head('cut'));
    halfClosed.socket.write(declared.subarray(0, 100_000));
    halfClosed.socket.end();
    const res = parseRawAnswer(await halfClosed.answer);
    // S3's error document: never a success, nor a bare close, nor an answer without S3's code.
    expect(res.status === 0 ? 'closed' : `${res.status} ${res.code}`).toBe('400 IncompleteBody');
    await expectNoObject(bucket, 'cut');
    const tmp = join(platform.dataDir, 'objects', 'tmp');
    const tmpFiles = () => readdirSync(tmp).length;
    await waitFor('the temporary file of the half-closed upload to go', async () => tmpFiles() === 0, 10_000);

    // The client hangs up mid-body, once the server is writing it: its temporary file exists.
    const hungUp = await openS3Socket(platform);
    hungUp.socket.write(await head('hung-up'));
    hungUp.socket.write(declared.subarray(0, 100_000));
    await waitFor('the hung-up upload to open its temporary file', async () => tmpFiles() > 0, 10_000);
    hungUp.socket.destroy();
    await hungUp.answer;
    await expectNoObject(bucket, 'hung-up');
    await waitFor('the temporary file of the hung-up upload to go', async () => tmpFiles() === 0, 10_000);
  });

  it('should answer NoSuchBucket (404) for every operation on a bucket that does not exist', async () => {
    const missing = bucketName('never-created');
    const NO_SUCH_BUCKET = { code: 'NoSuchBucket', status: 404 };
    expect(await refusalOf(s3.send(new ListObjectsV2Command({ Bucket: missing })))).toEqual(NO_SUCH_BUCKET);
    expect(await refusalOf(s3.send(new GetObjectCommand({ Bucket: missing, Key: 'k' })))).toEqual(
      NO_SUCH_BUCKET,
    );
    expect(await refusalOf(s3.send(new PutObjectCommand({ Bucket: missing, Key: 'k', Body: 'x' })))).toEqual(
      NO_SUCH_BUCKET,
    );
    expect(await refusalOf(s3.send(new DeleteObjectCommand({ Bucket: missing, Key: 'k' })))).toEqual(
      NO_SUCH_BUCKET,
    );
    expect(await refusalOf(s3.send(new DeleteBucketCommand({ Bucket: missing })))).toEqual(NO_SUCH_BUCKET);
    expect(await refusalOf(s3.send(new CreateMultipartUploadCommand({ Bucket: missing, Key: 'k' })))).toEqual(
      NO_SUCH_BUCKET,
    );
    // HEAD has no body: S3 clients see the status alone.
    expect(await refusalOf(s3.send(new HeadBucketCommand({ Bucket: missing })))).toEqual({
      code: 'NotFound',
      status: 404,
    });
    expect(cliErrorCode(await awsS3(platform, ['s3', 'ls', `s3://${missing}`]))).toBe('NoSuchBucket');
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect((Buckets ?? []).map((b) => b.Name)).not.toContain(missing);
  });

  it('should answer NoSuchKey (404) for a key that does not exist', async () => {
    const bucket = await newBucket(s3, 'bad-missing-key');
    await expectNoObject(bucket, 'nothing-here');
    expect(
      await refusalOf(
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/nothing-here` })),
      ),
    ).toEqual({ code: 'NoSuchKey', status: 404 });
    const r = await awsS3(platform, [
      's3api',
      'get-object',
      '--bucket',
      bucket,
      '--key',
      'nothing-here',
      '/dev/null',
    ]);
    expect(cliErrorCode(r)).toBe('NoSuchKey');
  });

  it.each([0, 10_001])(
    'should answer InvalidArgument (400) when the part number is %d',
    async (partNumber) => {
      const bucket = await newBucket(s3, 'bad-part-number');
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
      expect(
        await refusalOf(
          s3.send(
            new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: partNumber, Body: 'x' }),
          ),
        ),
      ).toEqual({ code: 'InvalidArgument', status: 400 });
      // The bounds themselves are parts.
      for (const n of [1, 10_000]) {
        await s3.send(
          new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: n, Body: 'x' }),
        );
      }
    },
  );

  it('should answer InvalidPart for a missing or mismatched part and InvalidPartOrder for parts out of order', async () => {
    const bucket = await newBucket(s3, 'bad-complete');
    const parts = [randomBytes(5 * MiB), randomBytes(1000)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      const up = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: i + 1, Body }),
      );
      etags.push(up.ETag!);
    }
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'k',
          UploadId,
          MultipartUpload: { Parts },
        }),
      );
    const p1 = { ETag: etags[0]!, PartNumber: 1 };
    const p2 = { ETag: etags[1]!, PartNumber: 2 };

    expect(await refusalOf(complete([p1, { ETag: etags[1]!, PartNumber: 3 }]))).toEqual({
      code: 'InvalidPart',
      status: 400,
    });
    expect(await refusalOf(complete([p1, { ETag: `"${'0'.repeat(32)}"`, PartNumber: 2 }]))).toEqual({
      code: 'InvalidPart',
      status: 400,
    });
    expect(await refusalOf(complete([p2, p1]))).toEqual({ code: 'InvalidPartOrder', status: 400 });
    await expectNoObject(bucket, 'k');

    // The refusals left the upload as it was: the right list completes it.
    await complete([p1, p2]);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await sha256OfStream(got.Body as Readable)).toBe(sha256Hex(Buffer.concat(parts)));
  });

  it('should answer EntityTooSmall (400) when a part before the last is under 5 MiB', async () => {
    const bucket = await newBucket(s3, 'bad-small-part');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const Parts: { ETag: string; PartNumber: number }[] = [];
    for (const PartNumber of [1, 2]) {
      const up = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber, Body: randomBytes(MiB) }),
      );
      Parts.push({ ETag: up.ETag!, PartNumber });
    }
    expect(
      await refusalOf(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'k',
            UploadId,
            MultipartUpload: { Parts },
          }),
        ),
      ),
    ).toEqual({ code: 'EntityTooSmall', status: 400 });
    await expectNoObject(bucket, 'k');
  });

  it('should answer BucketNotEmpty (409) when a bucket that holds an object is deleted', async () => {
    const bucket = await newBucket(s3, 'bad-not-empty');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'still-here', Body: 'x' }));
    expect(await refusalOf(s3.send(new DeleteBucketCommand({ Bucket: bucket })))).toEqual({
      code: 'BucketNotEmpty',
      status: 409,
    });
    expect(cliErrorCode(await awsS3(platform, ['s3', 'rb', `s3://${bucket}`]))).toBe('BucketNotEmpty');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((c) => c.Key)).toEqual(['still-here']);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'still-here' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  it('should answer SignatureDoesNotMatch for a wrong secret and InvalidAccessKeyId for an unknown key (403)', async () => {
    const bucket = await newBucket(s3, 'bad-signature');
    const c = platform.credentials;
    const wrongSecret = platform.s3({ ...c, secretAccessKey: `${c.secretAccessKey.slice(0, -1)}x` });
    const unknownKey = platform.s3({ ...c, accessKeyId: 'AKIAE2EUNKNOWN000000' });
    try {
      expect(await refusalOf(wrongSecret.send(new ListBucketsCommand({})))).toEqual({
        code: 'SignatureDoesNotMatch',
        status: 403,
      });
      expect(
        await refusalOf(wrongSecret.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }))),
      ).toEqual({ code: 'SignatureDoesNotMatch', status: 403 });
      expect(await refusalOf(unknownKey.send(new ListBucketsCommand({})))).toEqual({
        code: 'InvalidAccessKeyId',
        status: 403,
      });
      expect(
        await refusalOf(unknownKey.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }))),
      ).toEqual({
        code: 'InvalidAccessKeyId',
        status: 403,
      });
      expect(
        cliErrorCode(
          await awsS3(platform, ['s3api', 'list-buckets'], {
            credentials: { ...c, accessKeyId: 'AKIAE2EUNKNOWN000000' },
          }),
        ),
      ).toBe('InvalidAccessKeyId');
      await expectNoObject(bucket, 'k');
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
  });

  it('should answer AccessDenied (403) to an anonymous request', async () => {
    const bucket = await newBucket(s3, 'bad-anonymous');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'private', Body: 'secret-ish' }));
    const r = await awsS3(platform, [
      's3api',
      'get-object',
      '--no-sign-request',
      '--bucket',
      bucket,
      '--key',
      'private',
      '/dev/null',
    ]);
    expect(cliErrorCode(r)).toBe('AccessDenied');
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', `/${bucket}`],
      ['GET', `/${bucket}/private`],
      ['PUT', `/${bucket}/anonymous`],
    ] as const) {
      const res = await fetch(`${platform.s3Endpoint}${path}`, {
        method,
        ...(method === 'PUT' ? { body: 'anonymous bytes' } : {}),
      });
      const text = await res.text();
      expect({ method, path, status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] }).toEqual({
        method,
        path,
        status: 403,
        code: 'AccessDenied',
      });
      expect(text).not.toContain('secret-ish');
    }
    await expectNoObject(bucket, 'anonymous');
  });
});
