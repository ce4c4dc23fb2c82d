/**
 * The storage service on its clustered backend, NATS JetStream's object store, under `npm start`'s per-service NATS
 * users (the storage user may touch only its object store's stream): objects of every kind go in and come back, the
 * data folder holds none of them, and a deleted object's bytes leave the store after the grace period.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { awsS3, newBucket, sha256Hex, sha256OfFile, sha256OfStream, waitFor } from './support/s3.js';

jest.setTimeout(180_000);

let platform: TestPlatform;
let dir: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  platform = await startTestPlatform({
    // A short grace and sweep, so that the test sees a deleted object's bytes go.
    env: {
      SYMBOLON_STORAGE_BACKEND: 'jetstream',
      SYMBOLON_STORAGE_GRACE_MS: '1000',
      SYMBOLON_STORAGE_SWEEP_INTERVAL_MS: '500',
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'symbolon-storage-jetstream-'));
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The bytes the object store's stream holds, from the storage service's NATS server (its JetStream store). */
async function streamBytes(): Promise<number> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const runtime = JSON.parse(
    (await import('node:fs')).readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8'),
  ) as { natsUrl: string };
  const url = new URL(runtime.natsUrl);
  const nc = await connect({
    servers: `${url.protocol}//${url.host}`,
    user: decodeURIComponent(url.username),
    pass: decodeURIComponent(url.password),
  });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info('OBJ_symbolon-objects')).state.bytes;
  } finally {
    await nc.close();
  }
}

describe('storage on the JetStream object store', () => {
  it('should keep objects put by the aws cli (multipart) and client-s3 (aws-chunked, parts), ranges included', async () => {
    const s3 = platform.s3();
    const bucket = await newBucket(s3, 'js');
    const file = join(dir, 'twenty');
    writeFileSync(file, randomBytes(20 * MiB));
    const up = await awsS3(platform, [
      's3',
      'cp',
      '--no-progress',
      '--only-show-errors',
      file,
      `s3://${bucket}/cli`,
    ]);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
    const down = join(dir, 'twenty.out');
    const get = await awsS3(platform, [
      's3',
      'cp',
      '--no-progress',
      '--only-show-errors',
      `s3://${bucket}/cli`,
      down,
    ]);
    expect(get.code).toBe(0);
    expect(await sha256OfFile(down)).toBe(await sha256OfFile(file));

    const body = randomBytes(3 * MiB + 5);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const range = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'stream', Range: 'bytes=1048570-2097160' }),
    );
    expect(await sha256OfStream(range.Body as Readable)).toBe(sha256Hex(body.subarray(1048570, 2097161)));

    const parts = [randomBytes(5 * MiB), randomBytes(123)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts' }));
    const etags = [];
    for (const [i, part] of parts.entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'parts', UploadId, PartNumber: i + 1, Body: part }),
      );
      etags.push({ PartNumber: i + 1, ETag: r.ETag! });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'parts',
        UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );
    // A range across the two parts' blobs.
    const across = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'parts', Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }),
    );
    const whole = Buffer.concat(parts);
    expect(await sha256OfStream(across.Body as Readable)).toBe(
      sha256Hex(whole.subarray(5 * MiB - 10, 5 * MiB + 10)),
    );

    // None of it is in the data folder: the folder backend's directory was never made.
    expect(existsSync(join(platform.dataDir, 'objects'))).toBe(false);
  });

  it("should remove a deleted object's bytes from the object store once the grace period is over", async () => {
    const s3 = platform.s3();
    const bucket = await newBucket(s3, 'js-gc');
    const before = await streamBytes();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: randomBytes(8 * MiB) }));
    expect(await streamBytes()).toBeGreaterThanOrEqual(before + 8 * MiB);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'big' }));
    await waitFor('the blob to leave the object store', async () => (await streamBytes()) < before + MiB);
  });
});
