/**
 * The storage service's crash safety (issue 8, ADR 0017): `kill -9` in the middle of a large upload leaves no partial
 * object visible, objects written before intact and no temporary file once the launcher has started it again; and
 * eight clients putting different bodies to one key at once end with one of the bodies, whole.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
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
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { runtimeOf } from './support/runtime.js';
import {
  md5Hex,
  newBucket,
  openS3Socket,
  refusalOf,
  sha256Hex,
  sha256OfStream,
  signedHead,
  waitFor,
} from './support/s3.js';

jest.setTimeout(180_000);

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

async function sha256Of(bucket: string, key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return sha256OfStream(got.Body as Readable);
}

/** Files in a folder with their sizes ([] when it does not exist). */
function filesIn(dir: string): { name: string; size: number }[] {
  try {
    return readdirSync(dir).map((name) => ({ name, size: statSync(join(dir, name)).size }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

describe('S3 crash safety', () => {
  it('should show no partial object and keep earlier objects intact when the storage service is killed mid-upload', async () => {
    const bucket = await newBucket(s3, 'crash');
    // Objects written before: a PUT, and a multipart upload (an object of two blobs).
    const small = randomBytes(MiB + 3);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'before/small', Body: small }));
    const parts = [randomBytes(5 * MiB), randomBytes(3 * MiB)];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'before/parts' }),
    );
    const done: { ETag: string; PartNumber: number }[] = [];
    for (const [i, Body] of parts.entries()) {
      const up = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'before/parts', UploadId, PartNumber: i + 1, Body }),
      );
      done.push({ ETag: up.ETag!, PartNumber: i + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'before/parts',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    const before = { 'before/small': sha256Hex(small), 'before/parts': sha256Hex(Buffer.concat(parts)) };

    // A 300 MiB PutObject, sent 1 MiB at a time; it stops sending at 64 MiB, while the server is writing it.
    const declared = 300 * MiB;
    const { socket, answer } = await openS3Socket(platform);
    socket.write(
      await signedHead(platform, {
        method: 'PUT',
        path: `/${bucket}/large`,
        headers: { 'content-length': String(declared), 'content-type': 'application/octet-stream' },
      }),
    );
    for (let sent = 0; sent < 64 * MiB; sent += MiB) {
      if (!socket.write(randomBytes(MiB))) await new Promise((r) => socket.once('drain', r));
    }
    const tmp = join(platform.dataDir, 'objects', 'tmp');
    await waitFor(
      'the upload to be written to a temporary file',
      async () => filesIn(tmp).some((f) => f.size >= 32 * MiB),
      30_000,
    );

    const killed = runtimeOf(platform).pids['storage']!;
    process.kill(killed, 'SIGKILL');
    // The connection dies with the process.
    await answer;
    await waitFor(
      'the launcher to start the storage service again and its S3 API to answer',
      async () => {
        const pid = runtimeOf(platform).pids['storage'];
        if (pid === undefined || pid === killed) return false;
        return (await s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode === 200;
      },
      90_000,
    );

    expect(filesIn(tmp)).toEqual([]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((c) => c.Key)).toEqual(['before/parts', 'before/small']);
    expect(await refusalOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'large' })))).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });
    expect(await refusalOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'large' })))).toEqual({
      code: 'NotFound',
      status: 404,
    });
    for (const [key, digest] of Object.entries(before))
      expect({ key, digest: await sha256Of(bucket, key) }).toEqual({ key, digest });

    // The restarted service takes uploads again.
    const after = randomBytes(2 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'large', Body: after }));
    expect(await sha256Of(bucket, 'large')).toBe(sha256Hex(after));
  });

  it('should end with one whole body of eight when eight clients put to one key at once', async () => {
    const bucket = await newBucket(s3, 'concurrent');
    const bodies = Array.from({ length: 8 }, () => randomBytes(5 * MiB));
    const clients = bodies.map(() => platform.s3());
    try {
      const results = await Promise.all(
        bodies.map((Body, i) =>
          clients[i]!.send(new PutObjectCommand({ Bucket: bucket, Key: 'contended', Body })),
        ),
      );
      // Every PUT succeeded, each with its own body's ETag.
      expect(results.map((r) => r.ETag)).toEqual(bodies.map((b) => `"${md5Hex(b)}"`));
    } finally {
      for (const c of clients) c.destroy();
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended' }));
    const digest = await sha256OfStream(got.Body as Readable);
    const winner = bodies.findIndex((b) => sha256Hex(b) === digest);
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(got.ContentLength).toBe(5 * MiB);
    expect(got.ETag).toBe(`"${md5Hex(bodies[winner]!)}"`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((c) => [c.Key, c.ETag, c.Size])).toEqual([
      ['contended', `"${md5Hex(bodies[winner]!)}"`, 5 * MiB],
    ]);
  });
});
