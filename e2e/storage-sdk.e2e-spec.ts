/**
 * The storage service's S3 API (issue 8, ADR 0017) driven by @aws-sdk/client-s3 against the platform started as
 * `npm start` does: a Buffer body and a stream body (which the SDK sends aws-chunked with a CRC32 trailer), GetObject
 * streamed and by range, HeadObject's metadata, ListObjectsV2 pages, and a multipart upload done part by part.
 * Each test has its own bucket.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

import { md5Hex, multipartEtag, newBucket, sha256Hex, sha256OfStream } from './support/s3.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const MiB = 1024 * 1024;

let platform: TestPlatform;
let s3: S3Client;

beforeAll(async () => {
  platform = await startTestPlatform();
  s3 = platform.s3();
}, START_TIMEOUT);

afterAll(async () => {
  s3?.destroy();
  await platform?.stop();
}, START_TIMEOUT);

describe('@aws-sdk/client-s3', () => {
  it('should store a Buffer body and stream it back whole, by range, with its metadata', async () => {
    const bucket = await newBucket(s3, 'sdk-buffer');
    const body = randomBytes(3 * MiB + 5);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'a/b/buffer.bin',
        Body: body,
        ContentType: 'application/octet-stream',
        Metadata: { scheme: 'envelope-v1', owner: 'e2e' },
      }),
    );
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b/buffer.bin' }));
    expect(got.ContentLength).toBe(body.length);
    expect(await sha256OfStream(got.Body as Readable)).toBe(sha256Hex(body));

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a/b/buffer.bin' }));
    expect(head).toMatchObject({
      ContentLength: body.length,
      ContentType: 'application/octet-stream',
      ETag: `"${md5Hex(body)}"`,
      Metadata: { scheme: 'envelope-v1', owner: 'e2e' },
    });

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'a/b/buffer.bin', Range: 'bytes=100-199' }),
    );
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe(`bytes 100-199/${body.length}`);
    expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(100, 200))).toBe(true);
    const suffix = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'a/b/buffer.bin', Range: 'bytes=-10' }),
    );
    expect(
      Buffer.from(await suffix.Body!.transformToByteArray()).equals(body.subarray(body.length - 10)),
    ).toBe(true);
  });

  it('should store a stream body sent aws-chunked with a CRC32 trailer and stream it back whole', async () => {
    const bucket = await newBucket(s3, 'sdk-stream');
    const body = randomBytes(6 * MiB + 123);
    const sent: Record<string, string>[] = [];
    const client = platform.s3();
    // What went on the wire, after signing.
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'deserialize', name: 'e2eCaptureHeaders' },
    );
    try {
      const pieces = Array.from({ length: Math.ceil(body.length / (64 * 1024)) }, (_, i) =>
        body.subarray(i * 64 * 1024, (i + 1) * 64 * 1024),
      );
      const put = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'streamed.bin',
          Body: Readable.from(pieces),
          ContentLength: body.length,
        }),
      );
      const headers = sent[0]!;
      expect(headers['content-encoding']).toContain('aws-chunked');
      expect(headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
      expect(headers['x-amz-decoded-content-length']).toBe(String(body.length));
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      expect(put.ChecksumCRC32).toBe(crc.toString('base64'));
      expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    } finally {
      client.destroy();
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed.bin' }));
    expect(got.ContentLength).toBe(body.length);
    expect(await sha256OfStream(got.Body as Readable)).toBe(sha256Hex(body));
  });

  it('should page ListObjectsV2 with ContinuationToken until it is no longer truncated', async () => {
    const bucket = await newBucket(s3, 'sdk-list');
    const keys = Array.from({ length: 11 }, (_, i) => `obj-${String(i).padStart(2, '0')}`);
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    const pages: string[][] = [];
    let token: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          MaxKeys: 4,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      pages.push((page.Contents ?? []).map((c) => c.Key!));
      expect(page.KeyCount).toBe(pages.at(-1)!.length);
      if (!page.IsTruncated) {
        expect(page.NextContinuationToken).toBeUndefined();
        break;
      }
      token = page.NextContinuationToken;
      expect(token).toBeDefined();
      if (pages.length > 5) throw new Error('listing did not end');
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 3]);
    expect(pages.flat()).toEqual(keys);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'obj-08' }));
    expect((after.Contents ?? []).map((c) => c.Key)).toEqual(['obj-09', 'obj-10']);
  });

  it('should assemble an object from CreateMultipartUpload, UploadPart and CompleteMultipartUpload', async () => {
    const bucket = await newBucket(s3, 'sdk-multipart');
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(2 * MiB + 1)];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts.bin', Metadata: { kind: 'multipart' } }),
    );
    const done: { ETag: string; PartNumber: number }[] = [];
    for (const [i, part] of parts.entries()) {
      const up = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'parts.bin', UploadId, PartNumber: i + 1, Body: part }),
      );
      done.push({ ETag: up.ETag!, PartNumber: i + 1 });
    }
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'parts.bin',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    expect(completed.ETag).toBe(multipartEtag(parts));
    const whole = Buffer.concat(parts);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts.bin' }));
    expect(got).toMatchObject({
      ContentLength: whole.length,
      ETag: multipartEtag(parts),
      Metadata: { kind: 'multipart' },
    });
    expect(await sha256OfStream(got.Body as Readable)).toBe(sha256Hex(whole));
    // A range across the boundary of parts 1 and 2.
    const across = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'parts.bin',
        Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}`,
      }),
    );
    expect(
      Buffer.from(await across.Body!.transformToByteArray()).equals(
        whole.subarray(5 * MiB - 10, 5 * MiB + 10),
      ),
    ).toBe(true);
  });
});
