/**
 * Envelopes stored as objects (issues 7 and 8): the SDK's putEnvelope / getEnvelope and the CLI's `symbolon put` /
 * `get` against a running platform, whose KMS key and storage service share one set of credentials. The storage
 * service only ever holds the envelope.
 */
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CustomerKey, KmsKey, PUT_PART_SIZE, SdkError, getEnvelope, putEnvelope } from '@symbolon/sdk/node';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { symbolon } from './support/cli.js';

jest.setTimeout(120_000);

let platform: TestPlatform;
let dir: string;
let keyArn: string;
let kms: KmsKey;
let me: CustomerKey;
const BUCKET = 'envelopes';
const scheme = { chain: ['corp', 'me'] };

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  dir = mkdtempSync(join(tmpdir(), 'symbolon-envelope-objects-'));
  keyArn = (await platform.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kms = new KmsKey('corp', platform.kms(), keyArn, platform.endpoint);
  const raw = randomBytes(32);
  writeFileSync(join(dir, 'me.key'), raw);
  me = await CustomerKey.fromBytes('me', raw);
  await platform.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      scheme,
      authorities: {
        corp: {
          type: 'kms',
          keyId: keyArn,
          endpoint: platform.endpoint,
          credentialsFile: platform.credentialsFile,
        },
        me: { type: 'key-file', path: 'me.key' },
      },
      storage: { endpoint: platform.s3Endpoint, credentialsFile: platform.credentialsFile },
    }),
  );
}, 200_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('envelopes as objects through the SDK', () => {
  it.each([
    ['small (one PutObject)', 100_000],
    ['larger than a part (a multipart upload)', 2 * PUT_PART_SIZE + 12_345],
  ])('should store a %s envelope and read the plaintext back', async (_name, length) => {
    const data = randomBytes(length);
    const at = { client: platform.s3(), bucket: BUCKET, key: `sdk/${length}.sym` };
    const stored = await putEnvelope(Readable.from([data]), at, { scheme, authorities: [kms, me] });
    expect(stored.size).toBeGreaterThan(length);
    const head = await platform.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: at.key }));
    expect(head.ContentLength).toBe(stored.size);
    expect(head.ContentType).toBe('application/vnd.symbolon.envelope');
    expect(head.ETag).toMatch(length > PUT_PART_SIZE ? /-3"$/ : /^"[0-9a-f]{32}"$/);
    // The store holds ciphertext: the envelope's magic, and not the plaintext's bytes.
    const object = await collect(
      (await platform.s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: at.key }))).Body as Readable,
    );
    expect(object.subarray(0, 4).toString('latin1')).toBe('SYME');
    expect(object.includes(data.subarray(1000, 1064))).toBe(false);
    const back = await collect(await getEnvelope(at, { authorities: [kms, me], expect: { scheme } }));
    expect(sha256(back)).toBe(sha256(data));
  });

  it('should name the customer key when it is missing, and the KMS key when it is disabled', async () => {
    const at = { client: platform.s3(), bucket: BUCKET, key: 'sdk/all-of.sym' };
    await putEnvelope(Readable.from([randomBytes(5000)]), at, { scheme, authorities: [kms, me] });
    const withoutMe = await getEnvelope(at, { authorities: [kms] });
    await expect(collect(withoutMe)).rejects.toMatchObject({ code: 'AUTHORITY_MISSING', authorityId: 'me' });
    await platform.kms().send(new DisableKeyCommand({ KeyId: keyArn }));
    try {
      const refused = await getEnvelope(at, { authorities: [kms, me] });
      await expect(collect(refused)).rejects.toMatchObject({ code: 'AUTHORITY_FAILED', authorityId: 'corp' });
    } finally {
      await platform.kms().send(new EnableKeyCommand({ KeyId: keyArn }));
    }
  });

  it('should leave no object and no upload when encryption fails, and report a missing object as STORAGE', async () => {
    await platform.s3().send(new CreateBucketCommand({ Bucket: 'failed-puts' }));
    const client = platform.s3();
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context['commandName']));
        return next(args);
      },
      { step: 'initialize' },
    );
    const at = { client, bucket: 'failed-puts', key: 'sdk/never.sym' };
    // The source fails only once a part of the envelope was stored: a multipart upload is under way by then.
    let pieces = 0;
    const failing = new Readable({
      read() {
        if (sent.includes('UploadPartCommand')) this.destroy(new Error('the disk went away'));
        else if (pieces++ < 64) this.push(randomBytes(1024 * 1024));
        else this.push(null);
      },
    });
    await expect(putEnvelope(failing, at, { scheme, authorities: [kms, me] })).rejects.toThrow(
      'the disk went away',
    );
    expect(sent).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'AbortMultipartUploadCommand',
    ]);
    const listed = await platform.s3().send(new ListObjectsV2Command({ Bucket: 'failed-puts' }));
    expect(listed.KeyCount).toBe(0);
    // An upload left in progress would make the bucket not empty (BucketNotEmpty).
    await platform.s3().send(new DeleteBucketCommand({ Bucket: 'failed-puts' }));
    // A missing key, and a missing bucket: the store's error, named as such.
    const missing = getEnvelope({ ...at, bucket: BUCKET, key: 'sdk/absent.sym' }, { authorities: [kms, me] });
    await expect(missing).rejects.toBeInstanceOf(SdkError);
    await expect(missing).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/NoSuchKey/),
    });
    await expect(getEnvelope(at, { authorities: [kms, me] })).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/NoSuchBucket/),
    });
  });
});

describe('symbolon put / get', () => {
  it('should store a file as an envelope object and get it back into a file', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(dir, 'report.bin'), data);
    const put = await symbolon(
      platform,
      'put',
      '--config',
      join(dir, 'config.json'),
      '--bucket',
      BUCKET,
      '--key',
      'cli/report.sym',
      '--in',
      join(dir, 'report.bin'),
    );
    expect(put).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(put.out)).toMatchObject({ Stored: `${BUCKET}/cli/report.sym` });
    const get = await symbolon(
      platform,
      'get',
      '--config',
      join(dir, 'config.json'),
      '--bucket',
      BUCKET,
      '--key',
      'cli/report.sym',
      '--out',
      join(dir, 'report.out'),
    );
    expect(get).toMatchObject({ code: 0, err: '' });
    expect(sha256(readFileSync(join(dir, 'report.out')))).toBe(sha256(data));
  });

  it('should refuse a missing bucket or key argument, and say which object cannot be read', async () => {
    const config = join(dir, 'config.json');
    const noKey = await symbolon(platform, 'put', '--config', config, '--bucket', BUCKET, '--in', config);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('put needs --bucket and --key');
    const missing = await symbolon(
      platform,
      'get',
      '--config',
      config,
      '--bucket',
      'no-such-bucket',
      '--key',
      'x',
      '--out',
      join(dir, 'never.out'),
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no-such-bucket/x cannot be read: NoSuchBucket');
  });
});
