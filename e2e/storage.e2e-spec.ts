/**
 * The storage service's S3 API (issue 8, ADR 0017) driven by real S3 clients against the platform started as
 * `npm start` does: Debian's aws cli (`aws s3` high-level commands, a 100 MiB file that goes multipart, and
 * `aws s3api` calls one by one). @aws-sdk/client-s3 is in storage-sdk.e2e-spec.ts, bad inputs, tenants and crashes in
 * the other storage-*.e2e-spec.ts files. Each test has its own bucket.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';

import { BlobFiles } from './support/clients.js';
import {
  awsS3,
  awsS3Json,
  bucketName,
  cliErrorCode,
  md5Base64,
  md5Hex,
  multipartEtag,
  newBucket,
  sha256Hex,
  sha256OfFile,
} from './support/s3.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const MiB = 1024 * 1024;
/** The aws cli's default multipart_chunksize. */
const CLI_PART_SIZE = 8 * MiB;

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

/** A file of `size` random bytes, written 1 MiB at a time; its path. */
function randomFile(name: string, size: number): string {
  const path = files.path(name);
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let done = 0; done < size; done += MiB) writeSync(fd, randomBytes(Math.min(MiB, size - done)));
  } finally {
    closeSync(fd);
  }
  return path;
}

/** A temp file holding `bytes`: its path (what `put-object --body` and `upload-part --body` read). */
const fileOf = (bytes: Uint8Array): string => files.fileb(bytes).slice('fileb://'.length);

describe('aws s3 (high-level commands)', () => {
  it('should upload a 100 MiB file in parts and download it whole, then list, remove it and the bucket', async () => {
    const bucket = bucketName('cli-cp');
    const size = 100 * MiB;
    const source = randomFile('cp-source', size);
    const target = files.path('cp-target');

    const mb = await awsS3(platform, ['s3', 'mb', `s3://${bucket}`]);
    expect({ code: mb.code, stdout: mb.stdout.trim() }).toEqual({
      code: 0,
      stdout: `make_bucket: ${bucket}`,
    });
    const up = await awsS3(platform, [
      's3',
      'cp',
      '--no-progress',
      '--only-show-errors',
      source,
      `s3://${bucket}/big.bin`,
    ]);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });

    const head = await awsS3Json(platform, ['s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin']);
    expect(head['ContentLength']).toBe(size);
    // The cli went multipart (8 MiB parts): S3's multipart ETag, computed here from the same bytes.
    const bytes = readFileSync(source);
    const parts: Buffer[] = [];
    for (let at = 0; at < size; at += CLI_PART_SIZE) parts.push(bytes.subarray(at, at + CLI_PART_SIZE));
    expect(String(head['ETag'])).toMatch(/^"[0-9a-f]{32}-13"$/);
    expect(head['ETag']).toBe(multipartEtag(parts));

    const down = await awsS3(platform, [
      's3',
      'cp',
      '--no-progress',
      '--only-show-errors',
      `s3://${bucket}/big.bin`,
      target,
    ]);
    expect({ code: down.code, stderr: down.stderr }).toEqual({ code: 0, stderr: '' });
    expect(statSync(target).size).toBe(size);
    expect(await sha256OfFile(target)).toBe(await sha256OfFile(source));

    const buckets = await awsS3(platform, ['s3', 'ls']);
    expect(buckets.code).toBe(0);
    expect(buckets.stdout).toMatch(new RegExp(`^\\S+ \\S+ ${bucket}$`, 'm'));
    const listed = await awsS3(platform, ['s3', 'ls', `s3://${bucket}`]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^\\S+ \\S+ +${size} big\\.bin$`, 'm'));

    const rm = await awsS3(platform, ['s3', 'rm', '--only-show-errors', `s3://${bucket}/big.bin`]);
    expect({ code: rm.code, stderr: rm.stderr }).toEqual({ code: 0, stderr: '' });
    const empty = await awsS3Json(platform, ['s3api', 'list-objects-v2', '--bucket', bucket]);
    expect(empty['Contents']).toBeUndefined();

    const rb = await awsS3(platform, ['s3', 'rb', `s3://${bucket}`]);
    expect(rb.code).toBe(0);
    expect((await awsS3(platform, ['s3', 'ls'])).stdout).not.toContain(bucket);
    expect(cliErrorCode(await awsS3(platform, ['s3api', 'head-bucket', '--bucket', bucket]))).toBe('404');
  });
});

describe('aws s3api', () => {
  it('should create, list, head, locate and delete a bucket', async () => {
    const bucket = bucketName('api-bucket');
    const created = await awsS3Json(platform, ['s3api', 'create-bucket', '--bucket', bucket]);
    expect(created['Location']).toBe(`/${bucket}`);

    const listed = await awsS3Json(platform, ['s3api', 'list-buckets']);
    expect((listed['Buckets'] as { Name: string }[]).map((b) => b.Name)).toContain(bucket);
    expect(listed['Owner']).toBeDefined();

    expect(await awsS3Json(platform, ['s3api', 'head-bucket', '--bucket', bucket])).toEqual({});
    const location = await awsS3Json(platform, ['s3api', 'get-bucket-location', '--bucket', bucket]);
    // S3 answers an empty constraint for us-east-1 (the cli prints null), the region's name for any other.
    const region = platform.credentials.region;
    expect(location['LocationConstraint']).toBe(region === 'us-east-1' ? null : region);

    expect(await awsS3Json(platform, ['s3api', 'delete-bucket', '--bucket', bucket])).toEqual({});
    const after = await awsS3Json(platform, ['s3api', 'list-buckets']);
    expect((after['Buckets'] as { Name: string }[]).map((b) => b.Name)).not.toContain(bucket);
    expect(cliErrorCode(await awsS3(platform, ['s3api', 'head-bucket', '--bucket', bucket]))).toBe('404');
  });

  it('should keep metadata and content type of put-object (with its Content-MD5) and answer a range', async () => {
    const bucket = await newBucket(s3, 'api-object');
    const body = randomBytes(4096);
    const put = await awsS3Json(platform, [
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'dir/one.bin',
      '--body',
      fileOf(body),
      '--content-type',
      'application/x-symbolon-envelope',
      '--content-md5',
      md5Base64(body),
      '--metadata',
      'tenant=e2e,purpose=storage-test',
    ]);
    expect(put['ETag']).toBe(`"${md5Hex(body)}"`);

    const head = await awsS3Json(platform, [
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'dir/one.bin',
    ]);
    expect(head).toMatchObject({
      ContentLength: 4096,
      ContentType: 'application/x-symbolon-envelope',
      ETag: `"${md5Hex(body)}"`,
      Metadata: { tenant: 'e2e', purpose: 'storage-test' },
    });

    const out = files.path('range-out');
    const got = await awsS3Json(platform, [
      's3api',
      'get-object',
      '--bucket',
      bucket,
      '--key',
      'dir/one.bin',
      '--range',
      'bytes=1000-1999',
      out,
    ]);
    expect(got).toMatchObject({ ContentLength: 1000, ContentRange: 'bytes 1000-1999/4096' });
    expect(readFileSync(out).equals(body.subarray(1000, 2000))).toBe(true);
  });

  it('should list by prefix and delimiter and page through 25 keys with --max-items and --page-size', async () => {
    const bucket = await newBucket(s3, 'api-list');
    const keys = [
      ...Array.from({ length: 20 }, (_, i) => `data/k-${String(i).padStart(2, '0')}`),
      'data/sub/x-0',
      'data/sub/x-1',
      'data/sub/x-2',
      'top-0',
      'top-1',
    ];
    await Promise.all(
      keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from(Key) }))),
    );
    const sorted = [...keys].sort();
    const keysOf = (r: Record<string, unknown>) =>
      ((r['Contents'] ?? []) as { Key: string }[]).map((c) => c.Key);
    const prefixesOf = (r: Record<string, unknown>) =>
      ((r['CommonPrefixes'] ?? []) as { Prefix: string }[]).map((c) => c.Prefix);

    const underData = await awsS3Json(platform, [
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'data/',
      '--delimiter',
      '/',
    ]);
    expect(keysOf(underData)).toEqual(sorted.filter((k) => /^data\/k-/.test(k)));
    expect(prefixesOf(underData)).toEqual(['data/sub/']);

    const top = await awsS3Json(platform, [
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--delimiter',
      '/',
    ]);
    expect(keysOf(top)).toEqual(['top-0', 'top-1']);
    expect(prefixesOf(top)).toEqual(['data/']);

    // The cli follows the continuation tokens itself, 4 keys a request.
    const all = await awsS3Json(platform, [
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--page-size',
      '4',
    ]);
    expect(keysOf(all)).toEqual(sorted);

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await awsS3Json(platform, [
        's3api',
        'list-objects-v2',
        '--bucket',
        bucket,
        '--page-size',
        '4',
        '--max-items',
        '10',
        ...(token ? ['--starting-token', token] : []),
      ]);
      pages.push(keysOf(page));
      token = page['NextToken'] as string | undefined;
    } while (token !== undefined && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(sorted);
  });

  it('should copy an object and delete objects one by one and in a batch', async () => {
    const bucket = await newBucket(s3, 'api-copy');
    const body = randomBytes(10_000);
    await awsS3Json(platform, [
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'source',
      '--body',
      fileOf(body),
      '--metadata',
      'origin=put',
    ]);
    const copied = await awsS3Json(platform, [
      's3api',
      'copy-object',
      '--bucket',
      bucket,
      '--key',
      'copy',
      '--copy-source',
      `${bucket}/source`,
    ]);
    expect((copied['CopyObjectResult'] as { ETag: string }).ETag).toBe(`"${md5Hex(body)}"`);
    const out = files.path('copy-out');
    const got = await awsS3Json(platform, ['s3api', 'get-object', '--bucket', bucket, '--key', 'copy', out]);
    expect(got['Metadata']).toEqual({ origin: 'put' });
    expect(readFileSync(out).equals(body)).toBe(true);

    for (const k of ['b1', 'b2', 'b3']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: Buffer.from(k) }));
    }
    expect(
      await awsS3Json(platform, ['s3api', 'delete-object', '--bucket', bucket, '--key', 'source']),
    ).toEqual({});
    const batch = await awsS3Json(platform, [
      's3api',
      'delete-objects',
      '--bucket',
      bucket,
      '--delete',
      JSON.stringify({ Objects: [{ Key: 'b1' }, { Key: 'b2' }, { Key: 'never-there' }] }),
    ]);
    expect(((batch['Deleted'] ?? []) as { Key: string }[]).map((d) => d.Key).sort()).toEqual([
      'b1',
      'b2',
      'never-there',
    ]);
    expect(batch['Errors']).toBeUndefined();
    const left = await awsS3Json(platform, ['s3api', 'list-objects-v2', '--bucket', bucket]);
    expect((left['Contents'] as { Key: string }[]).map((c) => c.Key)).toEqual(['b3', 'copy']);
  });

  it('should assemble a multipart upload from its parts, and forget an aborted one', async () => {
    const bucket = await newBucket(s3, 'api-multipart');
    const parts = [randomBytes(5 * MiB), randomBytes(MiB + 17)];
    const created = await awsS3Json(platform, [
      's3api',
      'create-multipart-upload',
      '--bucket',
      bucket,
      '--key',
      'assembled',
      '--content-type',
      'application/octet-stream',
    ]);
    const uploadId = String(created['UploadId']);
    expect(created).toMatchObject({ Bucket: bucket, Key: 'assembled' });

    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const up = await awsS3Json(platform, [
        's3api',
        'upload-part',
        '--bucket',
        bucket,
        '--key',
        'assembled',
        '--upload-id',
        uploadId,
        '--part-number',
        String(i + 1),
        '--body',
        fileOf(part),
      ]);
      expect(up['ETag']).toBe(`"${md5Hex(part)}"`);
      etags.push(String(up['ETag']));
    }
    const listed = await awsS3Json(platform, [
      's3api',
      'list-parts',
      '--bucket',
      bucket,
      '--key',
      'assembled',
      '--upload-id',
      uploadId,
    ]);
    expect(
      (listed['Parts'] as Record<string, unknown>[]).map((p) => [p['PartNumber'], p['ETag'], p['Size']]),
    ).toEqual([
      [1, etags[0], parts[0]!.length],
      [2, etags[1], parts[1]!.length],
    ]);

    const completed = await awsS3Json(platform, [
      's3api',
      'complete-multipart-upload',
      '--bucket',
      bucket,
      '--key',
      'assembled',
      '--upload-id',
      uploadId,
      '--multipart-upload',
      JSON.stringify({ Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }),
    ]);
    expect(completed['ETag']).toBe(multipartEtag(parts));
    const out = files.path('multipart-out');
    await awsS3Json(platform, ['s3api', 'get-object', '--bucket', bucket, '--key', 'assembled', out]);
    expect(sha256Hex(readFileSync(out))).toBe(sha256Hex(Buffer.concat(parts)));

    const second = await awsS3Json(platform, [
      's3api',
      'create-multipart-upload',
      '--bucket',
      bucket,
      '--key',
      'aborted',
    ]);
    const abortedId = String(second['UploadId']);
    await awsS3Json(platform, [
      's3api',
      'upload-part',
      '--bucket',
      bucket,
      '--key',
      'aborted',
      '--upload-id',
      abortedId,
      '--part-number',
      '1',
      '--body',
      fileOf(randomBytes(1000)),
    ]);
    expect(
      await awsS3Json(platform, [
        's3api',
        'abort-multipart-upload',
        '--bucket',
        bucket,
        '--key',
        'aborted',
        '--upload-id',
        abortedId,
      ]),
    ).toEqual({});
    const gone = await awsS3(platform, [
      's3api',
      'list-parts',
      '--bucket',
      bucket,
      '--key',
      'aborted',
      '--upload-id',
      abortedId,
    ]);
    expect(cliErrorCode(gone)).toBe('NoSuchUpload');
    const keys = await awsS3Json(platform, ['s3api', 'list-objects-v2', '--bucket', bucket]);
    expect((keys['Contents'] as { Key: string }[]).map((c) => c.Key)).toEqual(['assembled']);
  });
});
