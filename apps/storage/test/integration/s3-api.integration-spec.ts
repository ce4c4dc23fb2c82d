/**
 * The storage service's S3 API in-process, without NATS: S3Server + S3Operations + the services over a real database
 * (SQLite, or PostgreSQL when SYMBOLON_TEST_DB=postgres), a LocalFolderBlobStore in a temporary folder, and a table of
 * two tenants as the signing key source. Driven with @aws-sdk/client-s3, and with raw signed requests where the SDK
 * cannot make the bad request.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type BucketLocationConstraint,
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
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ErrorCodes, KmsError, type RequestHandledEvent } from '@symbolon/contracts';
import { deriveSigningKey, openDataSource } from '@symbolon/platform';
import { type TestDatabase, onPostgres, startTestDatabase } from '@symbolon/testing';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { DataSource } from 'typeorm';

// Types only (erased): the modules themselves are imported below, once SYMBOLON_DB_TYPE is set.
import type { SigningKeySource } from '../../src/auth/signing-keys.js';
import type { LocalFolderBlobStore as LocalFolderBlobStoreType } from '../../src/blobs/local-folder.store.js';
import type { BucketsService as BucketsServiceType } from '../../src/buckets/buckets.service.js';
import type { AuditSink, S3Server as S3ServerType } from '../../src/http/s3-server.js';
import type { MultipartService as MultipartServiceType } from '../../src/multipart/multipart.service.js';
import type { ObjectsService as ObjectsServiceType } from '../../src/objects/objects.service.js';

jest.setTimeout(180_000);

// The entities' timestamp column type is chosen from SYMBOLON_DB_TYPE when their module loads: set it first.
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { storageMigrations } = await import('../../src/app.module.js');
const {
  storageEntities,
  BlobGarbageEntity,
  BucketEntity,
  ObjectBlobEntity,
  ObjectEntity,
  UploadEntity,
  UploadPartEntity,
} = await import('../../src/objects/storage.entities.js');
const { SigningKeys } = await import('../../src/auth/signing-keys.js');
const { LocalFolderBlobStore } = await import('../../src/blobs/local-folder.store.js');
const { BucketsService } = await import('../../src/buckets/buckets.service.js');
const { Ingest } = await import('../../src/http/ingest.js');
const { S3Operations } = await import('../../src/http/s3-operations.js');
const { S3Server } = await import('../../src/http/s3-server.js');
const { MultipartService } = await import('../../src/multipart/multipart.service.js');
const { BlobJanitor } = await import('../../src/objects/blob-janitor.js');
const { ObjectsService } = await import('../../src/objects/objects.service.js');
const { EMPTY_SHA256_HEX, STREAMING_SIGNED_PAYLOAD, chunkStringToSign, signString } =
  await import('../../src/s3/sigv4.js');

const REGION = 'us-east-1';
const MiB = 1024 * 1024;
const GRACE_MS = 60_000;

interface Tenant {
  accessKeyId: string;
  secret: string;
  accountId: string;
}

const ONE: Tenant = {
  accessKeyId: 'AKIATENANTONE0000001',
  secret: 'tenant-one/secret+KEY000000000000000000',
  accountId: '111111111111',
};
const TWO: Tenant = {
  accessKeyId: 'AKIATENANTTWO0000002',
  secret: 'tenant-two/secret+KEY000000000000000000',
  accountId: '222222222222',
};

/** The gateway's answers for two tenants: unknown keys and session tokens NOT_FOUND, another region VALIDATION. */
const tenantTable: SigningKeySource = async (req) => {
  const tenant = [ONE, TWO].find((t) => t.accessKeyId === req.accessKeyId);
  if (!tenant || req.sessionToken !== undefined) {
    throw new KmsError(ErrorCodes.NOT_FOUND, 'The access key id is not known or not active.');
  }
  if (req.region !== REGION) throw new KmsError(ErrorCodes.VALIDATION, 'Credential region is not this one.');
  return {
    signingKey: deriveSigningKey(tenant.secret, req.date, req.region, 's3').toString('base64'),
    accountId: tenant.accountId,
    principalArn: `arn:aws:iam::${tenant.accountId}:user/alice`,
  };
};

const md5Hex = (b: Buffer) => createHash('md5').update(b).digest('hex');
const md5B64 = (b: Buffer) => createHash('md5').update(b).digest('base64');
const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha256B64 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
const crc32B64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};

/** Large buffers compared by length and digest: Jest's toEqual walks them byte by byte (tens of seconds for MiBs). */
function expectSameBytes(got: Buffer, want: Buffer): void {
  expect({ length: got.length, sha256: sha256Hex(got) }).toEqual({
    length: want.length,
    sha256: sha256Hex(want),
  });
}

/** S3's key order: UTF-8 bytes, compared as bytes (computed here independently of the service's code). */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
/** Decodes a name written under encoding-type=url (form encoding: '+' is a space). */
const urlDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

async function s3Error(p: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('expected an S3 error');
}

async function expectS3Error(p: Promise<unknown>, code: string, status: number): Promise<S3ServiceException> {
  const e = await s3Error(p);
  expect({ code: e.name, status: e.$metadata.httpStatusCode }).toEqual({ code, status });
  return e;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Polls `cond` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** S3's query-string escaping, as the signer writes the canonical query: the same string goes on the wire. */
const escapeQuery = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('S3 API (in-process, real database and blob folder)', () => {
  let dir: string;
  let db: TestDatabase;
  let ds: DataSource;
  let store: LocalFolderBlobStoreType;
  let server: S3ServerType;
  let buckets: BucketsServiceType;
  let objects: ObjectsServiceType;
  let port: number;
  let one: S3Client;
  let two: S3Client;
  const clients: S3Client[] = [];

  const client = (tenant: Tenant, secret = tenant.secret): S3Client => {
    const c = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      region: REGION,
      credentials: { accessKeyId: tenant.accessKeyId, secretAccessKey: secret },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };

  /**
   * One signed request over node:http. `path` goes on the wire as given (already percent-encoded); `payloadHash`
   * replaces the body's sha256 in x-amz-content-sha256; `cut` sends only `after` body bytes and hangs up once `when`
   * holds (polled, 10 s at most).
   */
  async function raw(opts: {
    method: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Buffer;
    payloadHash?: string;
    tenant?: Tenant;
    cut?: { after: number; when: () => boolean };
    /** Another listener of the same services (the audited server); this suite's server by default. */
    port?: number;
  }): Promise<RawResponse> {
    const tenant = opts.tenant ?? ONE;
    const target = opts.port ?? port;
    const body = opts.body ?? Buffer.alloc(0);
    const signer = new SignatureV4({
      service: 's3',
      region: REGION,
      credentials: { accessKeyId: tenant.accessKeyId, secretAccessKey: tenant.secret },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const query = opts.query ?? {};
    const signed = await signer.sign(
      new HttpRequest({
        method: opts.method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: target,
        path: opts.path,
        query,
        headers: {
          host: `127.0.0.1:${target}`,
          'x-amz-content-sha256': opts.payloadHash ?? sha256Hex(body),
          'content-length': String(body.length),
          ...opts.headers,
        },
      }),
    );
    const rawQuery = Object.keys(query)
      .sort()
      .map((k) => `${escapeQuery(k)}=${escapeQuery(query[k]!)}`)
      .join('&');
    return new Promise<RawResponse>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: target,
          method: opts.method,
          path: rawQuery === '' ? opts.path : `${opts.path}?${rawQuery}`,
          headers: signed.headers,
        },
        (res) => {
          const pieces: Buffer[] = [];
          res.on('data', (p: Buffer) => pieces.push(p));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(pieces).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      const cut = opts.cut;
      if (cut !== undefined) {
        req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
        req.write(body.subarray(0, cut.after), () => {
          until(cut.when, 'the cut request to reach its condition').then(
            () => req.destroy(),
            (e: unknown) => {
              req.destroy();
              reject(e as Error);
            },
          );
        });
        return;
      }
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The ids of the blobs in the folder's blobs/ (fan-out folders included), sorted. */
  function blobFiles(): string[] {
    const blobs = join(store.root, 'blobs');
    if (!existsSync(blobs)) return [];
    return readdirSync(blobs)
      .flatMap((fan) => readdirSync(join(blobs, fan)))
      .sort();
  }

  const tmpFiles = () => (existsSync(join(store.root, 'tmp')) ? readdirSync(join(store.root, 'tmp')) : []);

  async function bytesOf(c: S3Client, bucket: string, key: string, range?: string): Promise<Buffer> {
    const res = await c.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}) }),
    );
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  /** The blob ids an object is recorded as (the database row of tenant's bucket and key). */
  async function recordedBlobs(tenant: Tenant, bucket: string, key: string): Promise<string[]> {
    const b = await ds
      .getRepository(BucketEntity)
      .findOneByOrFail({ tenantId: tenant.accountId, name: bucket });
    const row = await ds.getRepository(ObjectEntity).findOneByOrFail({ bucketId: b.id, key });
    return (JSON.parse(row.blobs) as { blobId: string }[]).map((x) => x.blobId);
  }

  async function listAll(
    c: S3Client,
    input: { Bucket: string; Prefix?: string; Delimiter?: string; MaxKeys?: number; StartAfter?: string },
  ): Promise<{ keys: string[]; prefixes: string[]; pages: ListObjectsV2CommandOutput[] }> {
    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await c.send(
        new ListObjectsV2Command({ ...input, ...(token ? { ContinuationToken: token } : {}) }),
      );
      pages.push(page);
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
      expect(token).toBeTruthy();
      if (pages.length > 100) throw new Error('listing does not end');
    }
    return {
      keys: pages.flatMap((p) => (p.Contents ?? []).map((o) => o.Key!)),
      prefixes: pages.flatMap((p) => (p.CommonPrefixes ?? []).map((o) => o.Prefix!)),
      pages,
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-s3-api-'));
    db = await startTestDatabase('storage_s3_api');
    ds = await openDataSource(
      db.postgresUrl
        ? { type: 'postgres', url: db.postgresUrl, schema: 'storage', migrate: true }
        : { type: 'sqlite', path: join(dir, 'storage.sqlite'), schema: 'storage', migrate: true },
      storageEntities,
      storageMigrations,
    );
    store = new LocalFolderBlobStore(join(dir, 'objects'));
    await store.recover();
    objects = new ObjectsService(ds, store);
    buckets = new BucketsService(ds);
    server = new S3Server({
      keys: new SigningKeys(tenantTable, 60_000),
      region: REGION,
      maxSkewMs: 15 * 60_000,
      operations: new S3Operations(
        buckets,
        objects,
        new MultipartService(ds, objects),
        new Ingest(store, 64 * MiB),
        REGION,
      ),
    });
    port = await server.listen(0, '127.0.0.1');
    one = client(ONE);
    two = client(TWO);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    if (ds?.isInitialized) await ds.destroy();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
    else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
  });

  describe('authentication', () => {
    it('should refuse with InvalidAccessKeyId when the access key is unknown', async () => {
      const stranger = client({ ...ONE, accessKeyId: 'AKIASTRANGER00000001' });
      await expectS3Error(stranger.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    });

    it('should refuse with SignatureDoesNotMatch when the secret is wrong', async () => {
      await expectS3Error(
        client(ONE, 'not-the-secret').send(new ListBucketsCommand({})),
        'SignatureDoesNotMatch',
        403,
      );
    });
  });

  describe('buckets', () => {
    it('should list the tenant buckets in name order when several exist', async () => {
      for (const name of ['order-zeta', 'order-a.c', 'order-alpha', 'order-a-b', 'order-ab'])
        await one.send(new CreateBucketCommand({ Bucket: name }));
      const listed = await one.send(new ListBucketsCommand({}));
      const names = (listed.Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith('order-'));
      expect(names).toEqual(['order-a-b', 'order-a.c', 'order-ab', 'order-alpha', 'order-zeta']);
      expect(listed.Owner?.ID).toBe(ONE.accountId);
      for (const b of listed.Buckets ?? []) expect(b.CreationDate).toBeInstanceOf(Date);
    });

    it('should refuse with BucketAlreadyOwnedByYou when the tenant creates a bucket twice', async () => {
      await one.send(new CreateBucketCommand({ Bucket: 'twice' }));
      await expectS3Error(
        one.send(new CreateBucketCommand({ Bucket: 'twice' })),
        'BucketAlreadyOwnedByYou',
        409,
      );
    });

    it('should refuse with InvalidLocationConstraint and create nothing when the location is another region', async () => {
      await expectS3Error(
        one.send(
          new CreateBucketCommand({
            Bucket: 'elsewhere',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
        'InvalidLocationConstraint',
        400,
      );
      await expectS3Error(one.send(new HeadBucketCommand({ Bucket: 'elsewhere' })), 'NotFound', 404);
    });

    it('should create the bucket and report its region when the location is this region', async () => {
      await one.send(
        new CreateBucketCommand({
          Bucket: 'here',
          CreateBucketConfiguration: { LocationConstraint: REGION as BucketLocationConstraint },
        }),
      );
      const head = await one.send(new HeadBucketCommand({ Bucket: 'here' }));
      expect(head.BucketRegion).toBe(REGION);
      const location = await one.send(new GetBucketLocationCommand({ Bucket: 'here' }));
      expect(location.LocationConstraint ?? REGION).toBe(REGION);
    });

    it('should refuse with InvalidBucketName when the name breaks the rules', async () => {
      const res = await raw({ method: 'PUT', path: '/Bad_Name' });
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>InvalidBucketName</Code>');
    });

    it('should never delete a bucket while an object is being committed into it', async () => {
      await one.send(new CreateBucketCommand({ Bucket: 'racing' }));
      const bucket = await buckets.find(ONE.accountId, 'racing');
      const blob = await store.put(Readable.from([Buffer.from('racing')]));
      let deleting: Promise<string> | undefined;
      await ds.transaction(async (m) => {
        await objects.commit(
          bucket,
          'k',
          {
            size: blob.size,
            etag: `"${md5Hex(Buffer.from('racing'))}"`,
            contentType: 'text/plain',
            metadata: { user: {} },
            blobs: [blob],
          },
          m,
        );
        // DeleteBucket arrives while the object's transaction is still open.
        deleting = buckets.delete(ONE.accountId, 'racing').then(
          () => 'deleted',
          (e: { code?: string }) => e.code ?? String(e),
        );
        await new Promise((r) => setTimeout(r, 500));
      });
      const outcome = await deleting;
      const listed = await one.send(new ListBucketsCommand({}));
      const bucketLeft = (listed.Buckets ?? []).some((b) => b.Name === 'racing');
      // Either order is fine, but never a recorded object in a deleted bucket.
      expect({ outcome, bucketLeft }).toEqual({ outcome: 'BucketNotEmpty', bucketLeft: true });
      expect((await bytesOf(one, 'racing', 'k')).toString()).toBe('racing');
    });

    it('should refuse with BucketNotEmpty while an object or an upload is in it, then delete it', async () => {
      await one.send(new CreateBucketCommand({ Bucket: 'busy' }));
      await one.send(new PutObjectCommand({ Bucket: 'busy', Key: 'k', Body: 'x' }));
      await expectS3Error(one.send(new DeleteBucketCommand({ Bucket: 'busy' })), 'BucketNotEmpty', 409);
      await one.send(new DeleteObjectCommand({ Bucket: 'busy', Key: 'k' }));
      const upload = await one.send(new CreateMultipartUploadCommand({ Bucket: 'busy', Key: 'big' }));
      await expectS3Error(one.send(new DeleteBucketCommand({ Bucket: 'busy' })), 'BucketNotEmpty', 409);
      await one.send(
        new AbortMultipartUploadCommand({ Bucket: 'busy', Key: 'big', UploadId: upload.UploadId }),
      );
      await one.send(new DeleteBucketCommand({ Bucket: 'busy' }));
      await expectS3Error(one.send(new HeadBucketCommand({ Bucket: 'busy' })), 'NotFound', 404);
      await expectS3Error(one.send(new DeleteBucketCommand({ Bucket: 'busy' })), 'NoSuchBucket', 404);
    });
  });

  describe('objects', () => {
    const B = 'objects';
    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    it('should refuse with InvalidDigest when Content-MD5 is not an MD5', async () => {
      const res = await raw({
        method: 'PUT',
        path: `/${B}/bad-md5`,
        body: Buffer.from('x'),
        headers: { 'content-md5': 'not-base64-of-16-bytes' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>InvalidDigest</Code>');
    });

    it('should put, get, head and delete an object with its metadata and content type', async () => {
      const body = randomBytes(3000);
      const put = await one.send(
        new PutObjectCommand({
          Bucket: B,
          Key: 'dir/file.bin',
          Body: body,
          ContentType: 'application/x-envelope',
          Metadata: { color: 'blue', 'Mixed-Case': 'Value With Spaces' },
        }),
      );
      expect(put.ETag).toBe(`"${md5Hex(body)}"`);
      const got = await one.send(new GetObjectCommand({ Bucket: B, Key: 'dir/file.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
      expect(got).toMatchObject({
        ETag: `"${md5Hex(body)}"`,
        ContentType: 'application/x-envelope',
        ContentLength: 3000,
        Metadata: { color: 'blue', 'mixed-case': 'Value With Spaces' },
        AcceptRanges: 'bytes',
      });
      expect(got.LastModified).toBeInstanceOf(Date);
      const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'dir/file.bin' }));
      expect(head).toMatchObject({
        ETag: `"${md5Hex(body)}"`,
        ContentType: 'application/x-envelope',
        ContentLength: 3000,
        Metadata: { color: 'blue', 'mixed-case': 'Value With Spaces' },
      });
      const deleted = await one.send(new DeleteObjectCommand({ Bucket: B, Key: 'dir/file.bin' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      await expectS3Error(
        one.send(new GetObjectCommand({ Bucket: B, Key: 'dir/file.bin' })),
        'NoSuchKey',
        404,
      );
      await expectS3Error(
        one.send(new HeadObjectCommand({ Bucket: B, Key: 'dir/file.bin' })),
        'NotFound',
        404,
      );
      // Deleting what is not there is no error, as in S3.
      const again = await one.send(new DeleteObjectCommand({ Bucket: B, Key: 'dir/file.bin' }));
      expect(again.$metadata.httpStatusCode).toBe(204);
    });

    it('should replace the object as a whole when the key is put again', async () => {
      await one.send(
        new PutObjectCommand({
          Bucket: B,
          Key: 'again',
          Body: 'first version, longer',
          Metadata: { v: '1' },
        }),
      );
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'again', Body: 'second' }));
      expect((await bytesOf(one, B, 'again')).toString()).toBe('second');
      const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'again' }));
      expect(head.Metadata).toEqual({});
      expect(head.ContentLength).toBe(6);
    });

    it('should answer binary/octet-stream when the object was put without a content type', async () => {
      const body = Buffer.from('no type given');
      const res = await raw({ method: 'PUT', path: `/${B}/untyped`, body });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${md5Hex(body)}"`);
      const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'untyped' }));
      expect(head.ContentType).toBe('binary/octet-stream');
    });

    it('should store and serve a zero-byte object', async () => {
      const put = await one.send(new PutObjectCommand({ Bucket: B, Key: 'empty', Body: Buffer.alloc(0) }));
      expect(put.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
      const got = await one.send(new GetObjectCommand({ Bucket: B, Key: 'empty' }));
      expect(got.ContentLength).toBe(0);
      expect(Buffer.from(await got.Body!.transformToByteArray())).toHaveLength(0);
      const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'empty' }));
      expect(head.ContentLength).toBe(0);
      await expectS3Error(bytesOf(one, B, 'empty', 'bytes=0-'), 'InvalidRange', 416);
    });

    describe('Range', () => {
      const body = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
      beforeAll(async () => {
        // Put without a flexible checksum (the SDK adds CRC32 by default): ranges of such objects are tested below.
        expect((await raw({ method: 'PUT', path: `/${B}/hundred`, body })).status).toBe(200);
      });

      it.each([
        ['bytes=10-19', 10, 19],
        ['bytes=0-0', 0, 0],
        ['bytes=-10', 90, 99],
        ['bytes=-1000', 0, 99],
        ['bytes=95-', 95, 99],
        ['bytes=90-1000', 90, 99],
      ])('should answer 206 with the bytes when the range is %s', async (range, start, end) => {
        const res = await one.send(new GetObjectCommand({ Bucket: B, Key: 'hundred', Range: range }));
        expect(res.$metadata.httpStatusCode).toBe(206);
        expect(res.ContentRange).toBe(`bytes ${start}-${end}/100`);
        expect(res.ContentLength).toBe(end - start + 1);
        expect(Buffer.from(await res.Body!.transformToByteArray())).toEqual(body.subarray(start, end + 1));
      });

      it.each(['bytes=100-', 'bytes=200-300', 'bytes=-0'])(
        'should refuse with 416 InvalidRange when the range %s selects no byte',
        async (range) => {
          await expectS3Error(bytesOf(one, B, 'hundred', range), 'InvalidRange', 416);
        },
      );

      it('should answer the whole object when the range is not one it can use', async () => {
        const res = await one.send(new GetObjectCommand({ Bucket: B, Key: 'hundred', Range: 'bytes=20-10' }));
        expect(res.$metadata.httpStatusCode).toBe(200);
        expect(Buffer.from(await res.Body!.transformToByteArray())).toEqual(body);
      });
    });

    describe('CopyObject', () => {
      const body = Buffer.from('copy me, please');
      beforeAll(async () => {
        await one.send(
          new PutObjectCommand({
            Bucket: B,
            Key: 'copy/source',
            Body: body,
            ContentType: 'text/plain',
            Metadata: { origin: 'source' },
          }),
        );
      });

      it('should copy bytes, content type and metadata when the directive is COPY', async () => {
        await one.send(new CreateBucketCommand({ Bucket: 'copy-target' }));
        const res = await one.send(
          new CopyObjectCommand({ Bucket: 'copy-target', Key: 'copied', CopySource: `${B}/copy/source` }),
        );
        expect(res.CopyObjectResult?.ETag).toBe(`"${md5Hex(body)}"`);
        expect(res.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
        expect(await bytesOf(one, 'copy-target', 'copied')).toEqual(body);
        const head = await one.send(new HeadObjectCommand({ Bucket: 'copy-target', Key: 'copied' }));
        expect(head).toMatchObject({ ContentType: 'text/plain', Metadata: { origin: 'source' } });
        // A copy is its own blob: deleting the source leaves it whole.
        await one.send(new PutObjectCommand({ Bucket: B, Key: 'copy/temp', Body: body }));
        await one.send(
          new CopyObjectCommand({ Bucket: B, Key: 'copy/of-temp', CopySource: `${B}/copy/temp` }),
        );
        await one.send(new DeleteObjectCommand({ Bucket: B, Key: 'copy/temp' }));
        expect(await bytesOf(one, B, 'copy/of-temp')).toEqual(body);
      });

      it('should take the new content type and metadata when the directive is REPLACE', async () => {
        await one.send(
          new CopyObjectCommand({
            Bucket: B,
            Key: 'copy/replaced',
            CopySource: `${B}/copy/source`,
            MetadataDirective: 'REPLACE',
            ContentType: 'application/json',
            Metadata: { fresh: 'yes' },
          }),
        );
        const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/replaced' }));
        expect(head).toMatchObject({ ContentType: 'application/json', Metadata: { fresh: 'yes' } });
        expect(await bytesOf(one, B, 'copy/replaced')).toEqual(body);
      });

      it('should copy a key that needs percent-encoding when the source is encoded', async () => {
        await one.send(new PutObjectCommand({ Bucket: B, Key: 'copy/sp ace ü+1', Body: body }));
        await one.send(
          new CopyObjectCommand({
            Bucket: B,
            Key: 'copy/encoded-target',
            CopySource: `${B}/${encodeURIComponent('copy/sp ace ü+1')}`,
          }),
        );
        expect(await bytesOf(one, B, 'copy/encoded-target')).toEqual(body);
      });

      it('should refuse with InvalidRequest when an object is copied onto itself without REPLACE', async () => {
        await expectS3Error(
          one.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/source', CopySource: `${B}/copy/source` })),
          'InvalidRequest',
          400,
        );
        await one.send(
          new CopyObjectCommand({
            Bucket: B,
            Key: 'copy/source',
            CopySource: `${B}/copy/source`,
            MetadataDirective: 'REPLACE',
            ContentType: 'text/plain',
            Metadata: { origin: 'self' },
          }),
        );
        const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/source' }));
        expect(head.Metadata).toEqual({ origin: 'self' });
        expect(await bytesOf(one, B, 'copy/source')).toEqual(body);
      });

      it('should refuse with NoSuchKey when the source object does not exist', async () => {
        await expectS3Error(
          one.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/x', CopySource: `${B}/copy/missing` })),
          'NoSuchKey',
          404,
        );
      });

      it("should refuse with NoSuchBucket when the source is another tenant's bucket", async () => {
        await two.send(new CreateBucketCommand({ Bucket: 'two-own' }));
        await expectS3Error(
          two.send(
            new CopyObjectCommand({ Bucket: 'two-own', Key: 'stolen', CopySource: `${B}/copy/source` }),
          ),
          'NoSuchBucket',
          404,
        );
        await expectS3Error(
          two.send(new HeadObjectCommand({ Bucket: 'two-own', Key: 'stolen' })),
          'NotFound',
          404,
        );
      });
    });
  });

  describe('ListObjectsV2', () => {
    const B = 'listing';
    // Keys whose UTF-16 order differs from their UTF-8 order: U+E000 and U+FFFD sort before U+1F600 in S3.
    const keys = [
      'a/1',
      'a/2',
      'a/b/3',
      'b',
      'c d/e f',
      'plus+sign',
      'zz',
      'ü/x',
      '\uE000x',
      '\uFFFDy',
      '\u{1F600}z',
      '\u{1F600}/deep',
    ];
    const expected = [...keys].sort(byUtf8);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      // Put in an order that is neither: the database must sort.
      for (const key of [...keys].reverse())
        await one.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
    });

    it('should hold keys whose UTF-16 order differs from their UTF-8 order when the order is checked', () => {
      expect([...keys].sort()).not.toEqual(expected);
    });

    it('should list every key in UTF-8 byte order when no parameter is given', async () => {
      const page = await one.send(new ListObjectsV2Command({ Bucket: B }));
      expect((page.Contents ?? []).map((o) => o.Key)).toEqual(expected);
      expect(page.KeyCount).toBe(keys.length);
      expect(page.IsTruncated).toBe(false);
      const first = page.Contents![0]!;
      expect(first).toMatchObject({ Key: 'a/1', Size: 3, ETag: `"${md5Hex(Buffer.from('a/1'))}"` });
    });

    it('should page in UTF-8 byte order when one key is listed per page', async () => {
      const { keys: listed, pages } = await listAll(one, { Bucket: B, MaxKeys: 1 });
      expect(listed).toEqual(expected);
      expect(pages).toHaveLength(keys.length);
      for (const p of pages.slice(0, -1))
        expect(p).toMatchObject({ IsTruncated: true, KeyCount: 1, MaxKeys: 1 });
    });

    it('should roll keys up into common prefixes across pages when a delimiter is given', async () => {
      const { keys: listed, prefixes, pages } = await listAll(one, { Bucket: B, Delimiter: '/', MaxKeys: 2 });
      expect(prefixes).toEqual(['a/', 'c d/', 'ü/', '\u{1F600}/']);
      expect(listed).toEqual(['b', 'plus+sign', 'zz', '\uE000x', '\uFFFDy', '\u{1F600}z']);
      expect(pages.map((p) => p.KeyCount)).toEqual([2, 2, 2, 2, 2]);
      expect(pages[0]).toMatchObject({ Delimiter: '/' });
    });

    it('should list only keys under the prefix, rolled up below it when a delimiter is given', async () => {
      const plain = await one.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'a/' }));
      expect((plain.Contents ?? []).map((o) => o.Key)).toEqual(['a/1', 'a/2', 'a/b/3']);
      expect(plain.Prefix).toBe('a/');
      const rolled = await one.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'a/', Delimiter: '/' }));
      expect((rolled.Contents ?? []).map((o) => o.Key)).toEqual(['a/1', 'a/2']);
      expect((rolled.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['a/b/']);
      const emoji = await one.send(new ListObjectsV2Command({ Bucket: B, Prefix: '\u{1F600}' }));
      expect((emoji.Contents ?? []).map((o) => o.Key)).toEqual(['\u{1F600}/deep', '\u{1F600}z']);
      const none = await one.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'nothing' }));
      expect(none.KeyCount).toBe(0);
      expect(none.Contents).toBeUndefined();
    });

    it('should list the keys after start-after in UTF-8 byte order', async () => {
      const after = await one.send(new ListObjectsV2Command({ Bucket: B, StartAfter: 'plus+sign' }));
      expect((after.Contents ?? []).map((o) => o.Key)).toEqual(
        expected.slice(expected.indexOf('plus+sign') + 1),
      );
      expect(after.StartAfter).toBe('plus+sign');
      // In UTF-16 order U+1F600 comes before U+FFFD: a database comparing that way would list nothing here.
      const last = await one.send(new ListObjectsV2Command({ Bucket: B, StartAfter: '\uFFFDy' }));
      expect((last.Contents ?? []).map((o) => o.Key)).toEqual(['\u{1F600}/deep', '\u{1F600}z']);
    });

    it('should list nothing and not truncate when max-keys is 0', async () => {
      const page = await one.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 0 }));
      expect(page).toMatchObject({ KeyCount: 0, MaxKeys: 0, IsTruncated: false });
      expect(page.Contents).toBeUndefined();
      expect(page.CommonPrefixes).toBeUndefined();
    });

    it('should write every key URL-encoded when encoding-type is url', async () => {
      const page = await one.send(new ListObjectsV2Command({ Bucket: B, EncodingType: 'url' }));
      const written = (page.Contents ?? []).map((o) => o.Key!);
      expect(written.map(urlDecode)).toEqual(expected);
      expect(written).toEqual(
        expect.arrayContaining(['c+d/e+f', 'plus%2Bsign', '%C3%BC/x', '%F0%9F%98%80z', '%EE%80%80x']),
      );
      expect(page.EncodingType).toBe('url');
      const rolled = await one.send(
        new ListObjectsV2Command({ Bucket: B, EncodingType: 'url', Delimiter: '/', Prefix: 'c d/' }),
      );
      expect(rolled.Prefix).toBe('c+d/');
      expect((rolled.Contents ?? []).map((o) => o.Key)).toEqual(['c+d/e+f']);
    });

    it('should refuse with InvalidArgument when max-keys, encoding-type or the continuation token is bad', async () => {
      const queries: Record<string, string>[] = [
        { 'list-type': '2', 'max-keys': 'ten' },
        { 'list-type': '2', 'encoding-type': 'base64' },
        { 'list-type': '2', 'continuation-token': 'not a token!' },
      ];
      for (const query of queries) {
        const res = await raw({ method: 'GET', path: `/${B}`, query });
        expect(res.status).toBe(400);
        expect(res.body).toContain('<Code>InvalidArgument</Code>');
      }
    });

    it('should keep object and upload keys in UTF-8 byte order (PostgreSQL\'s binary "C" collation) whatever the database', async () => {
      const bucket = 'collation';
      // A locale order puts 'a' before 'B' and 'é' next to 'e'; UTF-8 bytes put 'B' (0x42) before 'a' (0x61), and
      // U+FF5E (EF BD BE) before U+1F600 (F0 9F 98 80).
      const collated = ['B', 'a', '\uFF5E', '\u{1F600}', 'é', 'e', 'Z'];
      const bytewise = [...collated].sort(byUtf8);
      expect(bytewise).not.toEqual([...collated].sort((x, y) => x.localeCompare(y, 'en')));
      await one.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const key of collated) {
        await one.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
        await one.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      }
      const listed = await one.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(bytewise);
      const uploads = await one.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect((uploads.Uploads ?? []).map((u) => u.Key)).toEqual(bytewise);
      // Paging resumes after a key by the same order: two keys a page.
      const paged: string[] = [];
      let token: string | undefined;
      do {
        const page = await one.send(
          new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2, ContinuationToken: token }),
        );
        paged.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token !== undefined);
      expect(paged).toEqual(bytewise);
      for (const u of uploads.Uploads ?? []) {
        await one.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }),
        );
      }

      if (!onPostgres) {
        // SQLite compares text as its UTF-8 bytes (BINARY).
        expect(ds.options.type).toBe('better-sqlite3');
        return;
      }
      const rows = (await ds.query(
        `SELECT table_name, collation_name FROM information_schema.columns
          WHERE table_schema = 'storage' AND column_name = 'key' ORDER BY table_name`,
      )) as { table_name: string; collation_name: string }[];
      expect(rows).toEqual([
        { table_name: 'objects', collation_name: 'C' },
        { table_name: 'uploads', collation_name: 'C' },
      ]);
    });
  });

  describe('multipart uploads', () => {
    const B = 'multipart';
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(5 * MiB);
    const p2b = randomBytes(5 * MiB + 17);
    const p3 = randomBytes(1000);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    const create = async (key: string) =>
      (
        await one.send(
          new CreateMultipartUploadCommand({
            Bucket: B,
            Key: key,
            ContentType: 'application/x-parts',
            Metadata: { kind: 'multi' },
          }),
        )
      ).UploadId!;
    const part = async (key: string, uploadId: string, partNumber: number, body: Buffer) =>
      (
        await one.send(
          new UploadPartCommand({
            Bucket: B,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
          }),
        )
      ).ETag!;

    it('should assemble the listed parts with an ETag of the part MD5s when the upload completes', async () => {
      const id = await create('big');
      const e1 = await part('big', id, 1, p1);
      await part('big', id, 2, p2);
      const e2 = await part('big', id, 2, p2b); // replaces part 2
      const e3 = await part('big', id, 3, p3);
      expect([e1, e2, e3]).toEqual([p1, p2b, p3].map((p) => `"${md5Hex(p)}"`));

      const first = await one.send(
        new ListPartsCommand({ Bucket: B, Key: 'big', UploadId: id, MaxParts: 2 }),
      );
      expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', MaxParts: 2 });
      expect((first.Parts ?? []).map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
        [1, e1, p1.length],
        [2, e2, p2b.length],
      ]);
      const second = await one.send(
        new ListPartsCommand({ Bucket: B, Key: 'big', UploadId: id, MaxParts: 2, PartNumberMarker: '2' }),
      );
      expect(second.IsTruncated).toBe(false);
      expect((second.Parts ?? []).map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[3, e3, p3.length]]);

      const done = await one.send(
        new CompleteMultipartUploadCommand({
          Bucket: B,
          Key: 'big',
          UploadId: id,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: e1 },
              { PartNumber: 2, ETag: e2 },
              { PartNumber: 3, ETag: e3 },
            ],
          },
        }),
      );
      const partMd5s = Buffer.concat([p1, p2b, p3].map((p) => createHash('md5').update(p).digest()));
      expect(done.ETag).toBe(`"${md5Hex(partMd5s)}-3"`);
      const whole = Buffer.concat([p1, p2b, p3]);
      expectSameBytes(await bytesOf(one, B, 'big'), whole);
      const head = await one.send(new HeadObjectCommand({ Bucket: B, Key: 'big' }));
      expect(head).toMatchObject({
        ContentLength: whole.length,
        ETag: done.ETag,
        ContentType: 'application/x-parts',
        Metadata: { kind: 'multi' },
      });
      // A range across the boundary of parts 1 and 2 and one inside the last part.
      const across = `bytes=${5 * MiB - 10}-${5 * MiB + 9}`;
      expect(await bytesOf(one, B, 'big', across)).toEqual(whole.subarray(5 * MiB - 10, 5 * MiB + 10));
      expect(await bytesOf(one, B, 'big', 'bytes=-500')).toEqual(whole.subarray(whole.length - 500));
      await expectS3Error(
        one.send(new ListPartsCommand({ Bucket: B, Key: 'big', UploadId: id })),
        'NoSuchUpload',
        404,
      );
    });

    it('should refuse with NoSuchUpload when the same upload is completed twice', async () => {
      const id = await create('twice');
      const e1 = await part('twice', id, 1, p3);
      const complete = () =>
        one.send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key: 'twice',
            UploadId: id,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }] },
          }),
        );
      const done = await complete();
      expect(done.ETag).toBe(`"${md5Hex(createHash('md5').update(p3).digest())}-1"`);
      await expectS3Error(complete(), 'NoSuchUpload', 404);
      expect(await bytesOf(one, B, 'twice')).toEqual(p3);
    });

    it('should refuse a bad part list and keep the upload when parts are missing, wrong, out of order or too small', async () => {
      const id = await create('bad-list');
      const e1 = await part('bad-list', id, 1, p1);
      const e2 = await part('bad-list', id, 2, p3);
      const e3 = await part('bad-list', id, 3, p3);
      const complete = (parts: { PartNumber: number; ETag: string }[]) =>
        one.send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key: 'bad-list',
            UploadId: id,
            MultipartUpload: { Parts: parts },
          }),
        );
      await expectS3Error(
        complete([
          { PartNumber: 1, ETag: e1 },
          { PartNumber: 4, ETag: e3 },
        ]),
        'InvalidPart',
        400,
      );
      await expectS3Error(
        complete([
          { PartNumber: 1, ETag: e1 },
          { PartNumber: 2, ETag: `"${md5Hex(Buffer.from('other'))}"` },
        ]),
        'InvalidPart',
        400,
      );
      await expectS3Error(
        complete([
          { PartNumber: 2, ETag: e2 },
          { PartNumber: 1, ETag: e1 },
        ]),
        'InvalidPartOrder',
        400,
      );
      await expectS3Error(
        complete([
          { PartNumber: 2, ETag: e2 },
          { PartNumber: 3, ETag: e3 },
        ]),
        'EntityTooSmall',
        400,
      );
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: 'bad-list' })), 'NotFound', 404);
      const parts = await one.send(new ListPartsCommand({ Bucket: B, Key: 'bad-list', UploadId: id }));
      expect((parts.Parts ?? []).map((p) => p.PartNumber)).toEqual([1, 2, 3]);
      // Part 2 may be left out: parts 1 and 3 make the object.
      await complete([
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 3, ETag: e3 },
      ]);
      expectSameBytes(await bytesOf(one, B, 'bad-list'), Buffer.concat([p1, p3]));
    });

    it('should refuse with NoSuchUpload on every call after the upload is aborted', async () => {
      const id = await create('aborted');
      const e1 = await part('aborted', id, 1, p3);
      await one.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'aborted', UploadId: id }));
      await expectS3Error(part('aborted', id, 2, p3), 'NoSuchUpload', 404);
      await expectS3Error(
        one.send(new ListPartsCommand({ Bucket: B, Key: 'aborted', UploadId: id })),
        'NoSuchUpload',
        404,
      );
      await expectS3Error(
        one.send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key: 'aborted',
            UploadId: id,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }] },
          }),
        ),
        'NoSuchUpload',
        404,
      );
      await expectS3Error(
        one.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'aborted', UploadId: id })),
        'NoSuchUpload',
        404,
      );
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: 'aborted' })), 'NotFound', 404);
    });

    it('should refuse with NoSuchUpload when the upload id belongs to another key or is made up', async () => {
      const id = await create('owner-key');
      await expectS3Error(part('other-key', id, 1, p3), 'NoSuchUpload', 404);
      await expectS3Error(part('owner-key', 'made-up-upload-id', 1, p3), 'NoSuchUpload', 404);
    });

    it.each(['0', '10001', 'x'])(
      'should refuse with InvalidArgument when the part number is %s',
      async (n) => {
        const id = await create(`numbers-${n}`);
        const res = await raw({
          method: 'PUT',
          path: `/${B}/numbers-${n}`,
          query: { partNumber: n, uploadId: id },
          body: Buffer.from('part'),
        });
        expect(res.status).toBe(400);
        expect(res.body).toContain('<Code>InvalidArgument</Code>');
      },
    );
  });

  describe('DeleteObjects', () => {
    const B = 'batch';
    const longKey = 'k'.repeat(1025);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    it('should report each key deleted and each bad key with its error when not quiet', async () => {
      for (const key of ['d1', 'd2'])
        await one.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
      const res = await one.send(
        new DeleteObjectsCommand({
          Bucket: B,
          Delete: { Objects: [{ Key: 'd1' }, { Key: longKey }, { Key: 'd2' }, { Key: 'never-there' }] },
        }),
      );
      expect((res.Deleted ?? []).map((d) => d.Key).sort()).toEqual(['d1', 'd2', 'never-there']);
      expect(res.Errors).toEqual([expect.objectContaining({ Key: longKey, Code: 'KeyTooLongError' })]);
      const left = await one.send(new ListObjectsV2Command({ Bucket: B }));
      expect(left.KeyCount).toBe(0);
    });

    it('should report only the errors when quiet', async () => {
      for (const key of ['q1', 'q2'])
        await one.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
      const res = await one.send(
        new DeleteObjectsCommand({
          Bucket: B,
          Delete: { Quiet: true, Objects: [{ Key: 'q1' }, { Key: 'q2' }, { Key: longKey }] },
        }),
      );
      expect(res.Deleted ?? []).toEqual([]);
      expect(res.Errors).toEqual([expect.objectContaining({ Key: longKey, Code: 'KeyTooLongError' })]);
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: 'q1' })), 'NotFound', 404);
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: 'q2' })), 'NotFound', 404);
    });
  });

  describe('tenant isolation', () => {
    const B = 'shared-name';
    let uploadId: string;

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'tenant one' }));
      uploadId = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'up' }))).UploadId!;
    });

    it("should answer NoSuchBucket to every operation on another tenant's bucket", async () => {
      const noSuchBucket: [string, () => Promise<unknown>][] = [
        ['ListObjectsV2', () => two.send(new ListObjectsV2Command({ Bucket: B }))],
        ['GetBucketLocation', () => two.send(new GetBucketLocationCommand({ Bucket: B }))],
        ['DeleteBucket', () => two.send(new DeleteBucketCommand({ Bucket: B }))],
        ['GetObject', () => two.send(new GetObjectCommand({ Bucket: B, Key: 'k' }))],
        ['PutObject', () => two.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'tenant two' }))],
        ['DeleteObject', () => two.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }))],
        [
          'DeleteObjects',
          () => two.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'k' }] } })),
        ],
        [
          'CopyObject into',
          () => two.send(new CopyObjectCommand({ Bucket: B, Key: 'c', CopySource: 'two-src/k' })),
        ],
        [
          'CreateMultipartUpload',
          () => two.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'up2' })),
        ],
        [
          'UploadPart',
          () =>
            two.send(
              new UploadPartCommand({ Bucket: B, Key: 'up', UploadId: uploadId, PartNumber: 1, Body: 'x' }),
            ),
        ],
        ['ListParts', () => two.send(new ListPartsCommand({ Bucket: B, Key: 'up', UploadId: uploadId }))],
        [
          'CompleteMultipartUpload',
          () =>
            two.send(
              new CompleteMultipartUploadCommand({
                Bucket: B,
                Key: 'up',
                UploadId: uploadId,
                MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] },
              }),
            ),
        ],
        [
          'AbortMultipartUpload',
          () => two.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'up', UploadId: uploadId })),
        ],
      ];
      await two.send(new CreateBucketCommand({ Bucket: 'two-src' }));
      await two.send(new PutObjectCommand({ Bucket: 'two-src', Key: 'k', Body: 'two' }));
      for (const [name, call] of noSuchBucket) {
        const e = await s3Error(call());
        expect({ name, code: e.name, status: e.$metadata.httpStatusCode }).toEqual({
          name,
          code: 'NoSuchBucket',
          status: 404,
        });
      }
      for (const head of [
        () => two.send(new HeadBucketCommand({ Bucket: B })),
        () => two.send(new HeadObjectCommand({ Bucket: B, Key: 'k' })),
      ]) {
        await expectS3Error(head(), 'NotFound', 404);
      }
      const listed = await two.send(new ListBucketsCommand({}));
      expect((listed.Buckets ?? []).map((b) => b.Name)).not.toContain(B);
      // Nothing of tenant one's changed.
      expect((await bytesOf(one, B, 'k')).toString()).toBe('tenant one');
      const parts = await one.send(new ListPartsCommand({ Bucket: B, Key: 'up', UploadId: uploadId }));
      expect(parts.Parts ?? []).toEqual([]);
    });

    it('should let the second tenant own a bucket of the same name with its own objects', async () => {
      await two.send(new CreateBucketCommand({ Bucket: B }));
      await two.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'tenant two' }));
      expect((await bytesOf(two, B, 'k')).toString()).toBe('tenant two');
      expect((await bytesOf(one, B, 'k')).toString()).toBe('tenant one');
      const twoList = await two.send(new ListObjectsV2Command({ Bucket: B }));
      expect((twoList.Contents ?? []).map((o) => o.Key)).toEqual(['k']);
      await two.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
      await two.send(new DeleteBucketCommand({ Bucket: B }));
      expect((await bytesOf(one, B, 'k')).toString()).toBe('tenant one');
      await expectS3Error(one.send(new DeleteBucketCommand({ Bucket: B })), 'BucketNotEmpty', 409);
    });
  });

  describe('checksums and failed uploads', () => {
    const B = 'digests';
    const body = Buffer.from('the bytes the client meant to send');

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    /** Runs a failing upload and checks that it left neither an object nor a blob nor a temporary file. */
    async function leavesNothing(key: string, upload: () => Promise<RawResponse>): Promise<RawResponse> {
      const before = blobFiles();
      const res = await upload();
      expect(blobFiles()).toEqual(before);
      expect(tmpFiles()).toEqual([]);
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
      return res;
    }

    it('should refuse with BadDigest and store nothing when Content-MD5 is wrong', async () => {
      const res = await leavesNothing('md5', () =>
        raw({
          method: 'PUT',
          path: `/${B}/md5`,
          body,
          headers: { 'content-md5': md5B64(Buffer.from('other bytes')) },
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>BadDigest</Code>');
    });

    it('should store the object when Content-MD5 is right', async () => {
      const res = await raw({
        method: 'PUT',
        path: `/${B}/md5-ok`,
        body,
        headers: { 'content-md5': md5B64(body) },
      });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${md5Hex(body)}"`);
    });

    it('should refuse with BadDigest and store nothing when x-amz-checksum-crc32 is wrong', async () => {
      const res = await leavesNothing('crc', () =>
        raw({
          method: 'PUT',
          path: `/${B}/crc`,
          body,
          headers: { 'x-amz-checksum-crc32': crc32B64(Buffer.from('other bytes')) },
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>BadDigest</Code>');
    });

    it('should refuse with XAmzContentSHA256Mismatch and store nothing when the payload hash is wrong', async () => {
      const res = await leavesNothing('sha', () =>
        raw({ method: 'PUT', path: `/${B}/sha`, body, payloadHash: sha256Hex(Buffer.from('other bytes')) }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    });

    it('should store nothing when the client hangs up before the whole body is sent', async () => {
      const before = blobFiles();
      expect(tmpFiles()).toEqual([]);
      // Hangs up only once the upload is under way: its temporary file exists.
      const res = await raw({
        method: 'PUT',
        path: `/${B}/cut`,
        body: randomBytes(256 * 1024),
        cut: { after: 64 * 1024, when: () => tmpFiles().length > 0 },
      });
      expect(res.status).toBe(0);
      // The server sees the hang-up after the client: wait until it has cleaned up.
      await until(() => tmpFiles().length === 0, "the cut upload's temporary file to go");
      expect(blobFiles()).toEqual(before);
      await expectS3Error(one.send(new HeadObjectCommand({ Bucket: B, Key: 'cut' })), 'NotFound', 404);
    });

    it('should store a part of nothing when an upload part fails its digest', async () => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'part-md5' }))).UploadId!;
      const before = blobFiles();
      const res = await raw({
        method: 'PUT',
        path: `/${B}/part-md5`,
        query: { partNumber: '1', uploadId: id },
        body,
        headers: { 'content-md5': md5B64(Buffer.from('other bytes')) },
      });
      expect(res.status).toBe(400);
      expect(res.body).toContain('<Code>BadDigest</Code>');
      expect(blobFiles()).toEqual(before);
      const parts = await one.send(new ListPartsCommand({ Bucket: B, Key: 'part-md5', UploadId: id }));
      expect(parts.Parts ?? []).toEqual([]);
    });

    it('should echo the CRC32 the SDK sent on PUT and on HEAD', async () => {
      const put = await one.send(
        new PutObjectCommand({ Bucket: B, Key: 'crc-ok', Body: body, ChecksumAlgorithm: 'CRC32' }),
      );
      expect(put.ChecksumCRC32).toBe(crc32B64(body));
      const head = await one.send(
        new HeadObjectCommand({ Bucket: B, Key: 'crc-ok', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumCRC32).toBe(crc32B64(body));
      expect(await bytesOf(one, B, 'crc-ok')).toEqual(body);
    });

    it('should echo the SHA-256 checksum on HEAD when the object was put with one', async () => {
      await one.send(
        new PutObjectCommand({ Bucket: B, Key: 'sha-ok', Body: body, ChecksumAlgorithm: 'SHA256' }),
      );
      const head = await one.send(
        new HeadObjectCommand({ Bucket: B, Key: 'sha-ok', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumSHA256).toBe(sha256B64(body));
    });

    it('should serve a byte range of an object that was put with a checksum', async () => {
      await one.send(
        new PutObjectCommand({ Bucket: B, Key: 'crc-range', Body: body, ChecksumAlgorithm: 'CRC32' }),
      );
      expect(await bytesOf(one, B, 'crc-range', 'bytes=4-8')).toEqual(body.subarray(4, 9));
    });
  });

  describe('BlobJanitor', () => {
    const B = 'janitor';
    const exists = (blobId: string) => blobFiles().includes(blobId);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    const janitorAt = (offsetMs: number) =>
      new BlobJanitor(ds, store, GRACE_MS, undefined, () => Date.now() + offsetMs);

    it("should delete a replaced object's blob only once the grace has passed", async () => {
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'replaced', Body: 'version one' }));
      const [oldBlob] = await recordedBlobs(ONE, B, 'replaced');
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'replaced', Body: 'version two' }));
      const [newBlob] = await recordedBlobs(ONE, B, 'replaced');
      expect(exists(oldBlob!)).toBe(true);
      await janitorAt(GRACE_MS - 5_000).runOnce();
      expect(exists(oldBlob!)).toBe(true);
      const result = await janitorAt(GRACE_MS + 5_000).runOnce();
      expect(result.dropped).toBeGreaterThanOrEqual(1);
      expect(exists(oldBlob!)).toBe(false);
      expect(exists(newBlob!)).toBe(true);
      expect((await bytesOf(one, B, 'replaced')).toString()).toBe('version two');
    });

    it("should delete an aborted upload's parts only once the grace has passed", async () => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'abandoned' })))
        .UploadId!;
      await one.send(
        new UploadPartCommand({ Bucket: B, Key: 'abandoned', UploadId: id, PartNumber: 1, Body: 'p1' }),
      );
      await one.send(
        new UploadPartCommand({ Bucket: B, Key: 'abandoned', UploadId: id, PartNumber: 2, Body: 'p2' }),
      );
      const partBlobs = (await ds.getRepository(UploadPartEntity).findBy({ uploadId: id })).map(
        (p) => p.blobId,
      );
      expect(partBlobs).toHaveLength(2);
      // Parts of an upload in progress are recorded: never swept, however old.
      await janitorAt(100 * GRACE_MS).runOnce();
      for (const b of partBlobs) expect(exists(b)).toBe(true);
      await one.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'abandoned', UploadId: id }));
      await janitorAt(GRACE_MS - 5_000).runOnce();
      for (const b of partBlobs) expect(exists(b)).toBe(true);
      await janitorAt(GRACE_MS + 5_000).runOnce();
      for (const b of partBlobs) expect(exists(b)).toBe(false);
    });

    it('should delete an orphan blob once it is older than the grace', async () => {
      const { blobId } = await store.put(Readable.from([Buffer.from('never recorded')]));
      const young = await janitorAt(0).runOnce();
      expect(exists(blobId)).toBe(true);
      expect(young.orphans.deleted).toBe(0);
      const old = await janitorAt(GRACE_MS + 5_000).runOnce();
      expect(exists(blobId)).toBe(false);
      expect(old.orphans.deleted).toBeGreaterThanOrEqual(1);
    });

    it('should never delete a recorded blob however old it is', async () => {
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'kept', Body: 'keep me' }));
      const recorded = await recordedBlobs(ONE, B, 'kept');
      const copied = await one.send(
        new CopyObjectCommand({ Bucket: B, Key: 'kept-copy', CopySource: `${B}/kept` }),
      );
      expect(copied.CopyObjectResult?.ETag).toBeTruthy();
      await janitorAt(1000 * GRACE_MS).runOnce();
      for (const b of [...recorded, ...(await recordedBlobs(ONE, B, 'kept-copy'))])
        expect(exists(b)).toBe(true);
      expect((await bytesOf(one, B, 'kept')).toString()).toBe('keep me');
      expect((await bytesOf(one, B, 'kept-copy')).toString()).toBe('keep me');
      // Every object of every earlier test is still whole.
      expect((await bytesOf(one, 'multipart', 'big')).length).toBe(10 * MiB + 17 + 1000);
      expect((await bytesOf(one, 'listing', '\u{1F600}z')).toString()).toBe('\u{1F600}z');
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // The fixes of the storage security review (commit 6cef444, ADR 0017).
  // ---------------------------------------------------------------------------------------------------------------

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const deleteXml = (keys: string[]) =>
    `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;
  const completeXml = (parts: { n: number; etag: string }[], indent = '') =>
    `<CompleteMultipartUpload>${parts
      .map((p) => `${indent}<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;

  /** HeadObject's answer for a key of tenant ONE: 'present' or the error name. */
  async function presence(bucket: string, key: string): Promise<string> {
    try {
      await one.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return 'present';
    } catch (e) {
      if (e instanceof S3ServiceException) return e.name;
      throw e;
    }
  }

  /** The S3 error code of a raw answer (its XML document), or 'ok' for a 2xx. */
  const codeOf = (res: RawResponse) =>
    res.status < 300 ? 'ok' : (/<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? `HTTP ${res.status}`);

  describe('request bodies are what was signed', () => {
    const B = 'signed-bodies';

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    const putAll = async (keys: string[]) => {
      for (const key of keys) await one.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
    };

    it('should refuse with XAmzContentSHA256Mismatch and delete nothing when a DeleteObjects body is not the one signed', async () => {
      await putAll(['swap-1', 'swap-2']);
      const signedFor = Buffer.from(deleteXml(['swap-1']));
      const sent = Buffer.from(deleteXml(['swap-1', 'swap-2']));
      const res = await raw({
        method: 'POST',
        path: `/${B}`,
        query: { delete: '' },
        body: sent,
        payloadHash: sha256Hex(signedFor),
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({
        status: 400,
        code: 'XAmzContentSHA256Mismatch',
      });
      expect([await presence(B, 'swap-1'), await presence(B, 'swap-2')]).toEqual(['present', 'present']);
    });

    it('should refuse with BadDigest and delete nothing when a DeleteObjects body fails its Content-MD5', async () => {
      await putAll(['md5-1', 'md5-2']);
      const body = Buffer.from(deleteXml(['md5-1', 'md5-2']));
      const res = await raw({
        method: 'POST',
        path: `/${B}`,
        query: { delete: '' },
        body,
        headers: { 'content-md5': md5B64(Buffer.from(deleteXml(['md5-1']))) },
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'BadDigest' });
      expect([await presence(B, 'md5-1'), await presence(B, 'md5-2')]).toEqual(['present', 'present']);
      // The control: the same body with its own MD5 deletes both.
      const ok = await raw({
        method: 'POST',
        path: `/${B}`,
        query: { delete: '' },
        body,
        headers: { 'content-md5': md5B64(body) },
      });
      expect(ok.status).toBe(200);
      expect([await presence(B, 'md5-1'), await presence(B, 'md5-2')]).toEqual(['NotFound', 'NotFound']);
    });

    it('should refuse with InvalidRequest and delete nothing when a DeleteObjects body comes aws-chunked', async () => {
      await putAll(['chunked-1']);
      const xml = Buffer.from(deleteXml(['chunked-1']));
      const body = Buffer.concat([
        Buffer.from(`${xml.length.toString(16)}\r\n`),
        xml,
        Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${crc32B64(xml)}\r\n\r\n`),
      ]);
      const res = await raw({
        method: 'POST',
        path: `/${B}`,
        query: { delete: '' },
        body,
        payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'x-amz-decoded-content-length': String(xml.length),
        },
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'InvalidRequest' });
      expect(await presence(B, 'chunked-1')).toBe('present');
    });

    it('should refuse with XAmzContentSHA256Mismatch and keep the upload when a CompleteMultipartUpload body is not the one signed', async () => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'swapped-complete' })))
        .UploadId!;
      const etag = (
        await one.send(
          new UploadPartCommand({
            Bucket: B,
            Key: 'swapped-complete',
            UploadId: id,
            PartNumber: 1,
            Body: 'p1',
          }),
        )
      ).ETag!;
      const res = await raw({
        method: 'POST',
        path: `/${B}/swapped-complete`,
        query: { uploadId: id },
        body: Buffer.from(completeXml([{ n: 1, etag }], '\n')),
        payloadHash: sha256Hex(Buffer.from(completeXml([{ n: 1, etag }]))),
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({
        status: 400,
        code: 'XAmzContentSHA256Mismatch',
      });
      expect(await presence(B, 'swapped-complete')).toBe('NotFound');
      const parts = await one.send(
        new ListPartsCommand({ Bucket: B, Key: 'swapped-complete', UploadId: id }),
      );
      expect((parts.Parts ?? []).map((p) => p.ETag)).toEqual([etag]);
    });

    it('should refuse with XAmzContentSHA256Mismatch and create no bucket when a CreateBucket configuration is not the one signed', async () => {
      const config = (region: string) =>
        Buffer.from(
          `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
        );
      const res = await raw({
        method: 'PUT',
        path: '/swapped-config',
        body: config(REGION),
        payloadHash: sha256Hex(config('eu-west-1')),
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({
        status: 400,
        code: 'XAmzContentSHA256Mismatch',
      });
      await expectS3Error(one.send(new HeadBucketCommand({ Bucket: 'swapped-config' })), 'NotFound', 404);
    });
  });

  describe('XML element count', () => {
    const B = 'element-count';

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    it('should refuse with MalformedXML and delete nothing when a DeleteObjects body holds 150,000 tiny objects under the byte limit', async () => {
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'k' }));
      const body = Buffer.from(
        `<Delete><Object><Key>k</Key></Object>${'<Object><Key/></Object>'.repeat(150_000)}</Delete>`,
      );
      expect(body.length).toBeLessThan(4 * MiB);
      const res = await raw({ method: 'POST', path: `/${B}`, query: { delete: '' }, body });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'MalformedXML' });
      expect(await presence(B, 'k')).toBe('present');
    });

    it('should delete every key when a DeleteObjects body names exactly 1,000 keys', async () => {
      const keys = Array.from({ length: 1000 }, (_, i) => `thousand-${String(i).padStart(4, '0')}`);
      for (const key of keys.slice(0, 3))
        await one.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
      const res = await one.send(
        new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
      );
      expect((res.Deleted ?? []).length).toBe(1000);
      expect(res.Errors ?? []).toEqual([]);
      expect(await presence(B, keys[0]!)).toBe('NotFound');
    });

    it('should refuse with MalformedXML and keep the upload when a CompleteMultipartUpload body lists 20,000 parts', async () => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'many-parts' })))
        .UploadId!;
      const etag = (
        await one.send(
          new UploadPartCommand({ Bucket: B, Key: 'many-parts', UploadId: id, PartNumber: 1, Body: 'p' }),
        )
      ).ETag!;
      const body = Buffer.from(
        completeXml(Array.from({ length: 20_000 }, (_, i) => ({ n: (i % 10_000) + 1, etag }))),
      );
      expect(body.length).toBeLessThan(4 * MiB);
      const res = await raw({ method: 'POST', path: `/${B}/many-parts`, query: { uploadId: id }, body });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'MalformedXML' });
      expect(await presence(B, 'many-parts')).toBe('NotFound');
      const parts = await one.send(new ListPartsCommand({ Bucket: B, Key: 'many-parts', UploadId: id }));
      expect(parts.Parts).toHaveLength(1);
    });
  });

  describe('multipart serialisation', () => {
    const B = 'serialised';
    let multipart: MultipartServiceType;
    const janitorAt = (offsetMs: number) =>
      new BlobJanitor(ds, store, GRACE_MS, undefined, () => Date.now() + offsetMs);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      multipart = new MultipartService(ds, objects);
    });

    /**
     * Holds the upload's row in a transaction of its own (PostgreSQL: FOR UPDATE; SQLite: the connection, which
     * serialises transactions), starts the racers from outside it, one after the other, and lets them go at once.
     */
    async function raceWhileHeld(uploadId: string, racers: (() => Promise<string>)[]): Promise<string[]> {
      let locked!: () => void;
      let release!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const released = new Promise<void>((r) => (release = r));
      const holding = ds.transaction(async (m) => {
        const q = m
          .getRepository(UploadEntity)
          .createQueryBuilder('u')
          .where('u.uploadId = :id', { id: uploadId });
        if (onPostgres) q.setLock('pessimistic_write');
        expect(await q.getOne()).not.toBeNull();
        locked();
        await released;
      });
      await isLocked;
      const running: Promise<string>[] = [];
      for (const racer of racers) {
        running.push(racer());
        await sleep(50);
      }
      await sleep(250);
      release();
      await holding;
      return Promise.all(running);
    }

    const outcome = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? String(e),
      );

    /** Every blob every object of the bucket names exists, and every object reads back whole. */
    async function everyObjectReadable(expected: Record<string, Buffer>): Promise<void> {
      const bucket = await buckets.find(ONE.accountId, B);
      const rows = await ds.getRepository(ObjectEntity).findBy({ bucketId: bucket.id });
      const files = new Set(blobFiles());
      for (const row of rows) {
        for (const { blobId } of JSON.parse(row.blobs) as { blobId: string }[])
          expect(files.has(blobId)).toBe(true);
      }
      for (const [key, bytes] of Object.entries(expected)) expect(await bytesOf(one, B, key)).toEqual(bytes);
    }

    const newUpload = async (key: string, bytes: Buffer) => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }))).UploadId!;
      const etag = (
        await one.send(
          new UploadPartCommand({ Bucket: B, Key: key, UploadId: id, PartNumber: 1, Body: bytes }),
        )
      ).ETag!;
      const bucket = await buckets.find(ONE.accountId, B);
      return { id, etag, bucket, upload: await multipart.find(bucket, key, id) };
    };

    it.each(['complete', 'abort'])(
      'should leave either the object or nothing, every named blob readable after the janitor, when an abort races a complete and the %s comes first',
      async (first) => {
        const key = `abort-race-${first}`;
        const bytes = randomBytes(3000);
        const { id, etag, bucket, upload } = await newUpload(key, bytes);
        const complete = () => outcome(multipart.complete(bucket, upload, [{ partNumber: 1, etag }]));
        const abort = () => outcome(multipart.abort(upload));
        const [a, b] = await raceWhileHeld(id, first === 'complete' ? [complete, abort] : [abort, complete]);
        const outcomes = first === 'complete' ? { complete: a, abort: b } : { complete: b, abort: a };
        // The one that came second found the upload gone.
        expect(outcomes).toEqual(
          first === 'complete'
            ? { complete: 'ok', abort: 'NoSuchUpload' }
            : { complete: 'NoSuchUpload', abort: 'ok' },
        );
        await expectS3Error(
          one.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId: id })),
          'NoSuchUpload',
          404,
        );
        await janitorAt(GRACE_MS + 5_000).runOnce();
        if (first === 'complete') await everyObjectReadable({ [key]: bytes });
        else expect(await presence(B, key)).toBe('NotFound');
        await everyObjectReadable({});
      },
    );

    it.each(['complete', 'part'])(
      'should record the object with a live blob when an UploadPart retry of part 1 races a complete and the %s comes first',
      async (first) => {
        const key = `part-race-${first}`;
        const bytes = randomBytes(3000);
        const { id, etag, bucket, upload } = await newUpload(key, bytes);
        const [firstBlob] = (await ds.getRepository(UploadPartEntity).findBy({ uploadId: id })).map(
          (p) => p.blobId,
        );
        // The retry: the same bytes (so the same ETag) stored as another blob.
        const retry = await store.put(Readable.from([bytes]));
        const complete = () => outcome(multipart.complete(bucket, upload, [{ partNumber: 1, etag }]));
        const part = () => outcome(multipart.putPart(upload, 1, retry.blobId, retry.size, etag));
        const [a, b] = await raceWhileHeld(id, first === 'complete' ? [complete, part] : [part, complete]);
        const outcomes = first === 'complete' ? { complete: a, part: b } : { complete: b, part: a };
        expect(outcomes).toEqual(
          first === 'complete' ? { complete: 'ok', part: 'NoSuchUpload' } : { complete: 'ok', part: 'ok' },
        );
        // The object names the part's blob that was current when it completed: the first, or the retry's.
        expect(await recordedBlobs(ONE, B, key)).toEqual([first === 'complete' ? firstBlob : retry.blobId]);
        await janitorAt(GRACE_MS + 5_000).runOnce();
        await everyObjectReadable({ [key]: bytes });
      },
    );

    it('should keep a garbage blob that an object or a part still names when the grace has passed', async () => {
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'still-named', Body: 'still named' }));
      const [objectBlob] = await recordedBlobs(ONE, B, 'still-named');
      const { id } = await newUpload('part-still-named', Buffer.from('part still named'));
      const [partBlob] = (await ds.getRepository(UploadPartEntity).findBy({ uploadId: id })).map(
        (p) => p.blobId,
      );
      expect(await ds.getRepository(ObjectBlobEntity).findOneBy({ blobId: objectBlob! })).not.toBeNull();
      // Wrongly listed as garbage long ago, while still referenced.
      const longAgo = new Date(Date.now() - 100 * GRACE_MS);
      await ds.getRepository(BlobGarbageEntity).insert([
        { blobId: objectBlob!, droppedAt: longAgo },
        { blobId: partBlob!, droppedAt: longAgo },
      ]);
      const result = await janitorAt(GRACE_MS + 5_000).runOnce();
      expect(result.dropped).toBeGreaterThanOrEqual(2);
      expect(blobFiles()).toEqual(expect.arrayContaining([objectBlob, partBlob]));
      expect((await bytesOf(one, B, 'still-named')).toString()).toBe('still named');
      const parts = await one.send(
        new ListPartsCommand({ Bucket: B, Key: 'part-still-named', UploadId: id }),
      );
      const done = await one.send(
        new CompleteMultipartUploadCommand({
          Bucket: B,
          Key: 'part-still-named',
          UploadId: id,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts.Parts![0]!.ETag! }] },
        }),
      );
      expect(done.ETag).toBeTruthy();
      expect((await bytesOf(one, B, 'part-still-named')).toString()).toBe('part still named');
    });
  });

  describe('ListMultipartUploads', () => {
    const B = 'uploads-listed';
    /** [key, uploadId] in the order S3 lists them here: key, then upload id (both byte-wise). */
    let expected: [string, string][];

    const pairs = (page: ListMultipartUploadsCommandOutput) =>
      (page.Uploads ?? []).map((u) => [u.Key!, u.UploadId!] as [string, string]);
    const byKeyThenId = (a: [string, string], b: [string, string]) =>
      byUtf8(a[0], b[0]) || byUtf8(a[1], b[1]);

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      expected = [];
      for (const key of ['photos/b', 'photos/a', 'videos/c', 'photos/a', 'photos/a', 'photos/\u00e9']) {
        const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }))).UploadId!;
        expected.push([key, id]);
      }
      expected.sort(byKeyThenId);
    });

    it('should list every upload by key then upload id when no parameter is given', async () => {
      const page = await one.send(new ListMultipartUploadsCommand({ Bucket: B }));
      expect(pairs(page)).toEqual(expected);
      expect(page).toMatchObject({ Bucket: B, IsTruncated: false, MaxUploads: 1000 });
      for (const u of page.Uploads ?? []) {
        expect(u.Initiated).toBeInstanceOf(Date);
        expect(u.Owner?.ID).toBe(ONE.accountId);
      }
    });

    it('should list only the uploads whose key starts with the prefix when a prefix is given', async () => {
      const page = await one.send(new ListMultipartUploadsCommand({ Bucket: B, Prefix: 'photos/' }));
      expect(pairs(page)).toEqual(expected.filter(([k]) => k.startsWith('photos/')));
      expect(page.Prefix).toBe('photos/');
    });

    it('should page with NextKeyMarker and NextUploadIdMarker when MaxUploads is smaller than the list', async () => {
      const seen: [string, string][] = [];
      let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
      for (let pages = 0; ; pages++) {
        expect(pages).toBeLessThan(10);
        const page = await one.send(
          new ListMultipartUploadsCommand({ Bucket: B, MaxUploads: 2, ...markers }),
        );
        expect(page.MaxUploads).toBe(2);
        seen.push(...pairs(page));
        if (!page.IsTruncated) break;
        expect(pairs(page)).toHaveLength(2);
        expect([page.NextKeyMarker, page.NextUploadIdMarker]).toEqual(seen.at(-1));
        markers = { KeyMarker: page.NextKeyMarker!, UploadIdMarker: page.NextUploadIdMarker! };
      }
      expect(seen).toEqual(expected);
    });

    it('should list the uploads after the key marker and upload id marker when both are given', async () => {
      const [key, id] = expected[1]!;
      const page = await one.send(
        new ListMultipartUploadsCommand({ Bucket: B, KeyMarker: key, UploadIdMarker: id }),
      );
      expect(pairs(page)).toEqual(expected.slice(2));
    });

    it('should list only keys after the key marker when no upload id marker is given', async () => {
      // S3: "If upload-id-marker is not specified, only the keys lexicographically greater than the specified
      // key-marker will be included in the list."
      const page = await one.send(new ListMultipartUploadsCommand({ Bucket: B, KeyMarker: 'photos/a' }));
      expect(pairs(page)).toEqual(expected.filter(([k]) => byUtf8(k, 'photos/a') > 0));
    });

    it('should list nothing and not truncate when MaxUploads is 0', async () => {
      const page = await one.send(new ListMultipartUploadsCommand({ Bucket: B, MaxUploads: 0 }));
      expect(pairs(page)).toEqual([]);
    });

    it("should refuse with NoSuchBucket when the bucket is another tenant's", async () => {
      await expectS3Error(two.send(new ListMultipartUploadsCommand({ Bucket: B })), 'NoSuchBucket', 404);
    });

    it('should refuse with NotImplemented when a delimiter is given', async () => {
      await expectS3Error(
        one.send(new ListMultipartUploadsCommand({ Bucket: B, Delimiter: '/' })),
        'NotImplemented',
        501,
      );
    });
  });

  describe('expiry of abandoned uploads', () => {
    const B = 'abandoned-uploads';
    const WEEK_MS = 7 * 24 * 3600 * 1000;
    let multipart: MultipartServiceType;

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      multipart = new MultipartService(ds, objects);
    });

    const begin = async (key: string, parts: number) => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }))).UploadId!;
      for (let n = 1; n <= parts; n++) {
        await one.send(
          new UploadPartCommand({ Bucket: B, Key: key, UploadId: id, PartNumber: n, Body: `${key} ${n}` }),
        );
      }
      const blobs = (await ds.getRepository(UploadPartEntity).findBy({ uploadId: id })).map((p) => p.blobId);
      return { id, blobs };
    };
    const beganAgo = (id: string, ms: number) =>
      ds.getRepository(UploadEntity).update({ uploadId: id }, { initiatedAt: new Date(Date.now() - ms) });
    const listed = async () =>
      ((await one.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads ?? []).map((u) => u.UploadId);

    it('should abort only the uploads begun before the cutoff and make their parts garbage', async () => {
      const old = await begin('old', 2);
      const recent = await begin('recent', 1);
      await beganAgo(old.id, WEEK_MS + 3600_000);
      await beganAgo(recent.id, WEEK_MS - 3600_000);
      expect(await multipart.expire(new Date(Date.now() - WEEK_MS))).toBe(1);
      expect(await listed()).toEqual([recent.id]);
      const garbage = await ds.getRepository(BlobGarbageEntity).findBy({});
      const garbageIds = garbage.map((g) => g.blobId);
      expect(garbageIds).toEqual(expect.arrayContaining(old.blobs));
      expect(garbageIds).not.toContain(recent.blobs[0]);
      await expectS3Error(
        one.send(new ListPartsCommand({ Bucket: B, Key: 'old', UploadId: old.id })),
        'NoSuchUpload',
        404,
      );
      await one.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'recent', UploadId: recent.id }));
    });

    it('should expire old uploads and delete their part blobs when the janitor runs with its uploads option past the grace', async () => {
      const forgotten = await begin('forgotten', 2);
      await beganAgo(forgotten.id, WEEK_MS + 60_000);
      await expectS3Error(one.send(new DeleteBucketCommand({ Bucket: B })), 'BucketNotEmpty', 409);
      const janitor = new BlobJanitor(
        ds,
        store,
        GRACE_MS,
        { expire: (cutoff) => multipart.expire(cutoff), afterMs: WEEK_MS },
        () => Date.now() + GRACE_MS + 5_000,
      );
      const result = await janitor.runOnce();
      expect(result.expiredUploads).toBe(1);
      const files = new Set(blobFiles());
      for (const blob of forgotten.blobs) expect(files.has(blob)).toBe(false);
      expect(await listed()).toEqual([]);
      await one.send(new DeleteBucketCommand({ Bucket: B }));
      await expectS3Error(one.send(new HeadBucketCommand({ Bucket: B })), 'NotFound', 404);
    });
  });

  describe('conditional requests', () => {
    const B = 'conditional';
    let etag: string;
    let lastModified: Date;

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      const put = await one.send(new PutObjectCommand({ Bucket: B, Key: 'current', Body: 'current bytes' }));
      etag = put.ETag!;
      lastModified = (await one.send(new HeadObjectCommand({ Bucket: B, Key: 'current' }))).LastModified!;
    });

    const text = async (key: string) => (await bytesOf(one, B, key)).toString();
    const secondsFrom = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

    it('should refuse with 412 PreconditionFailed and keep the object when PutObject If-None-Match * meets an existing key', async () => {
      await expectS3Error(
        one.send(new PutObjectCommand({ Bucket: B, Key: 'current', Body: 'overwritten', IfNoneMatch: '*' })),
        'PreconditionFailed',
        412,
      );
      expect(await text('current')).toBe('current bytes');
    });

    it('should create the object when PutObject If-None-Match * meets a missing key', async () => {
      await one.send(
        new PutObjectCommand({ Bucket: B, Key: 'created-once', Body: 'first', IfNoneMatch: '*' }),
      );
      expect(await text('created-once')).toBe('first');
    });

    it('should replace the object when PutObject If-Match is its ETag, and refuse with 412 when it is not', async () => {
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'guarded', Body: 'v1' }));
      const v1 = (await one.send(new HeadObjectCommand({ Bucket: B, Key: 'guarded' }))).ETag!;
      const v2 = await one.send(new PutObjectCommand({ Bucket: B, Key: 'guarded', Body: 'v2', IfMatch: v1 }));
      expect(v2.$metadata.httpStatusCode).toBe(200);
      expect(await text('guarded')).toBe('v2');
      await expectS3Error(
        one.send(new PutObjectCommand({ Bucket: B, Key: 'guarded', Body: 'v3', IfMatch: v1 })),
        'PreconditionFailed',
        412,
      );
      expect(await text('guarded')).toBe('v2');
    });

    it('should refuse with NoSuchKey and store nothing when PutObject If-Match names a missing key', async () => {
      const before = blobFiles();
      await expectS3Error(
        one.send(new PutObjectCommand({ Bucket: B, Key: 'never-put', Body: 'x', IfMatch: etag })),
        'NoSuchKey',
        404,
      );
      expect(await presence(B, 'never-put')).toBe('NotFound');
      expect(blobFiles()).toEqual(before);
    });

    it('should refuse with 412 and keep the upload when CompleteMultipartUpload If-None-Match * meets an existing key', async () => {
      const id = (await one.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'current' }))).UploadId!;
      const partEtag = (
        await one.send(
          new UploadPartCommand({
            Bucket: B,
            Key: 'current',
            UploadId: id,
            PartNumber: 1,
            Body: 'from parts',
          }),
        )
      ).ETag!;
      await expectS3Error(
        one.send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key: 'current',
            UploadId: id,
            IfNoneMatch: '*',
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: partEtag }] },
          }),
        ),
        'PreconditionFailed',
        412,
      );
      expect(await text('current')).toBe('current bytes');
      const uploads = await one.send(new ListMultipartUploadsCommand({ Bucket: B }));
      expect((uploads.Uploads ?? []).map((u) => u.UploadId)).toContain(id);
      const parts = await one.send(new ListPartsCommand({ Bucket: B, Key: 'current', UploadId: id }));
      expect((parts.Parts ?? []).map((p) => p.ETag)).toEqual([partEtag]);
      await one.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'current', UploadId: id }));
    });

    it.each([
      ['CopySourceIfMatch is another ETag', { CopySourceIfMatch: `"${md5Hex(Buffer.from('other'))}"` }],
      ['CopySourceIfNoneMatch is the source ETag', { CopySourceIfNoneMatch: 'ETAG' }],
      ['CopySourceIfModifiedSince is in the future', { CopySourceIfModifiedSince: 'FUTURE' }],
      [
        'CopySourceIfUnmodifiedSince is before the last modification',
        { CopySourceIfUnmodifiedSince: 'PAST' },
      ],
    ])('should refuse CopyObject with 412 and copy nothing when %s', async (_name, condition) => {
      const resolved = Object.fromEntries(
        Object.entries(condition).map(([k, v]) => [
          k,
          v === 'ETAG'
            ? etag
            : v === 'FUTURE'
              ? secondsFrom(new Date(), 3600)
              : v === 'PAST'
                ? secondsFrom(lastModified, -60)
                : v,
        ]),
      );
      await expectS3Error(
        one.send(
          new CopyObjectCommand({ Bucket: B, Key: 'copy-refused', CopySource: `${B}/current`, ...resolved }),
        ),
        'PreconditionFailed',
        412,
      );
      expect(await presence(B, 'copy-refused')).toBe('NotFound');
    });

    it('should copy when every copy-source condition holds', async () => {
      await one.send(
        new CopyObjectCommand({
          Bucket: B,
          Key: 'copy-allowed',
          CopySource: `${B}/current`,
          CopySourceIfMatch: etag,
          CopySourceIfNoneMatch: `"${md5Hex(Buffer.from('other'))}"`,
          CopySourceIfModifiedSince: secondsFrom(lastModified, -60),
          CopySourceIfUnmodifiedSince: lastModified,
        }),
      );
      expect(await text('copy-allowed')).toBe('current bytes');
    });

    /**
     * GetObject's or HeadObject's answer: its status, or the error's status and, when the answer has an error document
     * to name it (not a HEAD, not a 304: the SDK calls those 'Unknown'), its code.
     */
    async function read(
      op: 'GetObject' | 'HeadObject',
      conditions: {
        IfMatch?: string;
        IfNoneMatch?: string;
        IfModifiedSince?: Date;
        IfUnmodifiedSince?: Date;
      },
    ): Promise<{ status: number; name?: string }> {
      const input = { Bucket: B, Key: 'current', ...conditions };
      try {
        const res =
          op === 'GetObject'
            ? await one.send(new GetObjectCommand(input))
            : await one.send(new HeadObjectCommand(input));
        if (op === 'GetObject') {
          const body = (res as { Body?: { transformToString(): Promise<string> } }).Body;
          expect(await body!.transformToString()).toBe('current bytes');
        }
        return { status: res.$metadata.httpStatusCode! };
      } catch (e) {
        if (!(e instanceof S3ServiceException)) throw e;
        const status = e.$metadata.httpStatusCode!;
        return op === 'GetObject' && status !== 304 ? { status, name: e.name } : { status };
      }
    }

    it.each(['GetObject', 'HeadObject'] as const)(
      'should answer %s with 200, 304 or 412 as its If-* conditions say when they are given one at a time',
      async (op) => {
        const other = `"${md5Hex(Buffer.from('other'))}"`;
        expect(await read(op, { IfMatch: etag })).toEqual({ status: 200 });
        const preconditionFailed =
          op === 'GetObject' ? { status: 412, name: 'PreconditionFailed' } : { status: 412 };
        expect(await read(op, { IfMatch: other })).toEqual(preconditionFailed);
        expect(await read(op, { IfNoneMatch: etag })).toEqual({ status: 304 });
        expect(await read(op, { IfNoneMatch: other })).toEqual({ status: 200 });
        expect(await read(op, { IfModifiedSince: secondsFrom(lastModified, 60) })).toEqual({
          status: 304,
        });
        expect(await read(op, { IfModifiedSince: lastModified })).toEqual({
          status: 304,
        });
        expect(await read(op, { IfModifiedSince: secondsFrom(lastModified, -60) })).toEqual({ status: 200 });
        expect(await read(op, { IfUnmodifiedSince: secondsFrom(lastModified, -60) })).toEqual(
          preconditionFailed,
        );
        expect(await read(op, { IfUnmodifiedSince: lastModified })).toEqual({ status: 200 });
      },
    );

    it('should refuse with InvalidArgument when If-Modified-Since is not an HTTP date', async () => {
      const res = await raw({
        method: 'GET',
        path: `/${B}/current`,
        headers: { 'if-modified-since': 'not a date' },
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'InvalidArgument' });
    });
  });

  describe('aws-chunked signed bodies', () => {
    const B = 'chunked-signed';

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
    });

    /**
     * A STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT of `chunks`, each chunk signed in the chain from the seed signature
     * (sigv4.ts' chunk helpers); `tamper` may change the encoded body after signing.
     */
    async function chunkedPut(
      key: string,
      chunks: Buffer[],
      tamper?: (body: Buffer) => void,
    ): Promise<RawResponse> {
      const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
      const header = (size: number) => `${size.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`;
      const encodedLength =
        chunks.reduce((n, c) => n + header(c.length).length + c.length + 2, 0) + header(0).length + 2;
      const signer = new SignatureV4({
        service: 's3',
        region: REGION,
        credentials: { accessKeyId: ONE.accessKeyId, secretAccessKey: ONE.secret },
        sha256: Hash.bind(null, 'sha256'),
        uriEscapePath: false,
      });
      const signed = await signer.sign(
        new HttpRequest({
          method: 'PUT',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port,
          path: `/${B}/${key}`,
          headers: {
            host: `127.0.0.1:${port}`,
            'x-amz-content-sha256': STREAMING_SIGNED_PAYLOAD,
            'content-encoding': 'aws-chunked',
            'x-amz-decoded-content-length': String(decodedLength),
            'content-length': String(encodedLength),
          },
        }),
      );
      const amzDate = String(signed.headers['x-amz-date']);
      const seed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization']))![1]!;
      const signingKey = deriveSigningKey(ONE.secret, amzDate.slice(0, 8), REGION, 's3');
      const scope = `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
      let previous = seed;
      const pieces: Buffer[] = [];
      for (const chunk of [...chunks, Buffer.alloc(0)]) {
        const hash = chunk.length === 0 ? EMPTY_SHA256_HEX : sha256Hex(chunk);
        previous = signString(signingKey, chunkStringToSign(amzDate, scope, previous, hash));
        pieces.push(
          Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
          chunk,
          Buffer.from('\r\n'),
        );
      }
      const body = Buffer.concat(pieces);
      expect(body.length).toBe(encodedLength);
      tamper?.(body);
      return new Promise<RawResponse>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'PUT', path: `/${B}/${key}`, headers: signed.headers },
          (res) => {
            const got: Buffer[] = [];
            res.on('data', (p: Buffer) => got.push(p));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(got).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    const chunks = [randomBytes(16 * 1024), randomBytes(9 * 1024), randomBytes(100)];

    it('should store the decoded bytes when every chunk signature holds', async () => {
      const res = await chunkedPut('chunked-ok', chunks);
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 200, code: 'ok' });
      expect(await bytesOf(one, B, 'chunked-ok')).toEqual(Buffer.concat(chunks));
    });

    it('should refuse with SignatureDoesNotMatch and leave no object, blob or temporary file when a chunk is tampered with', async () => {
      const before = blobFiles();
      // One byte of the second chunk's data (after its header line, the first chunk and its CRLF).
      const offset =
        `${(16 * 1024).toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`.length + 16 * 1024 + 2 + 90 + 100;
      const res = await chunkedPut('chunked-tampered', chunks, (body) => {
        body[offset] = body[offset]! ^ 0x01;
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
      expect(await presence(B, 'chunked-tampered')).toBe('NotFound');
      const deadline = Date.now() + 5_000;
      while (tmpFiles().length > 0 && Date.now() < deadline) await sleep(20);
      expect(tmpFiles()).toEqual([]);
      expect(blobFiles()).toEqual(before);
    });
  });

  describe('keys holding U+0000', () => {
    const B = 'nul-keys';

    beforeAll(async () => {
      await one.send(new CreateBucketCommand({ Bucket: B }));
      await one.send(new PutObjectCommand({ Bucket: B, Key: 'a', Body: 'a' }));
    });

    it('should refuse PUT with InvalidArgument before the body is stored when the key holds U+0000', async () => {
      const before = blobFiles();
      const res = await raw({ method: 'PUT', path: `/${B}/a%00b`, body: Buffer.from('nul') });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'InvalidArgument' });
      expect(res.body).toContain('U+0000');
      expect(blobFiles()).toEqual(before);
      expect(tmpFiles()).toEqual([]);
    });

    it.each([
      ['GET', {}],
      ['HEAD', {}],
      ['DELETE', {}],
      ['POST', { uploads: '' }],
    ] as const)(
      'should refuse %s %j with InvalidArgument when the key holds U+0000',
      async (method, query) => {
        const res = await raw({ method, path: `/${B}/a%00b`, query });
        expect({ status: res.status, code: method === 'HEAD' ? 'InvalidArgument' : codeOf(res) }).toEqual({
          status: 400,
          code: 'InvalidArgument',
        });
      },
    );

    it('should refuse CopyObject with InvalidArgument when the source key holds U+0000', async () => {
      const res = await raw({
        method: 'PUT',
        path: `/${B}/copy-of-nul`,
        headers: { 'x-amz-copy-source': `/${B}/a%00b` },
      });
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'InvalidArgument' });
    });

    it('should refuse the whole DeleteObjects with MalformedXML and delete nothing when a key holds U+0000 (XML cannot carry it)', async () => {
      await expectS3Error(
        one.send(
          new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'a' }, { Key: 'a\u0000b' }] } }),
        ),
        'MalformedXML',
        400,
      );
      const escaped = await raw({
        method: 'POST',
        path: `/${B}`,
        query: { delete: '' },
        body: Buffer.from(deleteXml(['a', 'a&#0;b'])),
      });
      expect({ status: escaped.status, code: codeOf(escaped) }).toEqual({
        status: 400,
        code: 'MalformedXML',
      });
      expect(await presence(B, 'a')).toBe('present');
    });

    it.each([
      ['ListObjectsV2 prefix', { 'list-type': '2', prefix: 'a\u0000' }],
      ['ListObjectsV2 start-after', { 'list-type': '2', 'start-after': 'a\u0000' }],
      ['ListMultipartUploads prefix', { uploads: '', prefix: 'a\u0000' }],
      ['ListMultipartUploads key-marker', { uploads: '', 'key-marker': 'a\u0000' }],
      [
        'ListMultipartUploads upload-id-marker',
        { uploads: '', 'key-marker': 'a', 'upload-id-marker': 'x\u0000' },
      ],
      [
        'ListObjectsV2 continuation token',
        { 'list-type': '2', 'continuation-token': Buffer.from('ka\u0000', 'utf8').toString('base64url') },
      ],
    ])('should answer a %s holding U+0000 without an internal error', async (_name, query) => {
      const res = await raw({ method: 'GET', path: `/${B}`, query });
      expect(res.status).not.toBe(500);
      expect([200, 400]).toContain(res.status);
    });

    it.each([
      ['ListParts', 'GET'],
      ['UploadPart', 'PUT'],
      ['AbortMultipartUpload', 'DELETE'],
    ])('should answer %s with InvalidArgument when the upload id holds U+0000', async (_name, method) => {
      const res = await raw({
        method,
        path: `/${B}/a`,
        query: method === 'PUT' ? { partNumber: '1', uploadId: 'x\u0000y' } : { uploadId: 'x\u0000y' },
        ...(method === 'PUT' ? { body: Buffer.from('part') } : {}),
      });
      // No query value may hold U+0000 (it would reach the database): refused before the upload is looked up.
      expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 400, code: 'InvalidArgument' });
    });

    it.each([
      ['ListParts', 'GET'],
      ['AbortMultipartUpload', 'DELETE'],
    ])(
      'should answer %s with NoSuchUpload when the upload id is not of the service form',
      async (_name, method) => {
        const res = await raw({ method, path: `/${B}/a`, query: { uploadId: 'not/an;upload-id' } });
        expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 404, code: 'NoSuchUpload' });
      },
    );
  });

  describe('audit records', () => {
    const B = 'audited';
    let audited: S3ServerType;
    let auditedPort: number;
    let auditedClient: S3Client;
    const events: RequestHandledEvent[] = [];
    /** While set, publish announces its event through `entered` and stores it only once `released` resolves. */
    let gate: { entered: (event: RequestHandledEvent) => void; released: Promise<void> } | undefined;
    let failing = false;

    const sink: AuditSink = {
      async publish(event) {
        if (failing) throw new Error('audit stream unavailable');
        if (gate) {
          gate.entered(event);
          await gate.released;
        }
        events.push(event);
      },
    };

    /** The releases of every hold, run when a test ends: no request stays held past its test. */
    const releaseAll: (() => void)[] = [];
    /** Holds the sink's next records: resolves `entered` with the first one held; `release` lets them be stored. */
    const holdRecords = () => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let enter!: (event: RequestHandledEvent) => void;
      const entered = new Promise<RequestHandledEvent>((r) => (enter = r));
      gate = { entered: enter, released };
      releaseAll.push(release);
      return { entered, release };
    };
    /** Lets the event loop turn (I/O polled each time) with no clock involved. */
    const loopTurns = async (n = 20) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };

    const auditedAs = (tenant: Tenant, secret = tenant.secret) => {
      const c = new S3Client({
        endpoint: `http://127.0.0.1:${auditedPort}`,
        forcePathStyle: true,
        region: REGION,
        credentials: { accessKeyId: tenant.accessKeyId, secretAccessKey: secret },
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    };
    const recordOf = (requestId: string | undefined) => {
      const found = events.filter((e) => e.requestId === requestId);
      expect(found).toHaveLength(1);
      return found[0]!;
    };

    beforeAll(async () => {
      audited = new S3Server({
        keys: new SigningKeys(tenantTable, 60_000),
        region: REGION,
        maxSkewMs: 15 * 60_000,
        operations: new S3Operations(
          buckets,
          objects,
          new MultipartService(ds, objects),
          new Ingest(store, 64 * MiB),
          REGION,
        ),
        audit: sink,
      });
      auditedPort = await audited.listen(0, '127.0.0.1');
      auditedClient = auditedAs(ONE);
      await auditedClient.send(new CreateBucketCommand({ Bucket: B }));
    });

    afterAll(async () => {
      await audited?.close();
    });

    it('should record an answered request with its operation, resource, outcome, status, tenant and principal', async () => {
      const put = await auditedClient.send(
        new PutObjectCommand({ Bucket: B, Key: 'dir/k', Body: 'audited' }),
      );
      expect(recordOf(put.$metadata.requestId)).toMatchObject({
        operation: 's3:PutObject',
        resource: `/${B}/dir/k`,
        outcome: 'ok',
        httpStatus: 200,
        tenantId: ONE.accountId,
        principal: `arn:aws:iam::${ONE.accountId}:user/alice`,
        accessKeyId: ONE.accessKeyId,
        keyArn: null,
        sourceIp: expect.stringContaining('127.0.0.1'),
      });
      const list = await auditedClient.send(new ListBucketsCommand({}));
      const listed = recordOf(list.$metadata.requestId);
      expect(listed).toMatchObject({ operation: 's3:ListBuckets', outcome: 'ok', httpStatus: 200 });
      expect(listed.resource).toBeUndefined();
    });

    it('should record a refused request with the error code as its outcome', async () => {
      const e = await expectS3Error(
        auditedClient.send(new GetObjectCommand({ Bucket: B, Key: 'missing' })),
        'NoSuchKey',
        404,
      );
      expect(recordOf(e.$metadata.requestId)).toMatchObject({
        operation: 's3:GetObject',
        resource: `/${B}/missing`,
        outcome: 'NoSuchKey',
        httpStatus: 404,
        tenantId: ONE.accountId,
      });
      const other = await expectS3Error(
        auditedAs(TWO).send(new HeadBucketCommand({ Bucket: B })),
        'NotFound',
        404,
      );
      expect(recordOf(other.$metadata.requestId)).toMatchObject({
        operation: 's3:HeadBucket',
        resource: `/${B}`,
        outcome: 'NoSuchBucket',
        httpStatus: 404,
        tenantId: TWO.accountId,
      });
    });

    it('should record a 304 of a conditional GET as answered', async () => {
      const etag = (await auditedClient.send(new HeadObjectCommand({ Bucket: B, Key: 'dir/k' }))).ETag!;
      const e = await s3Error(
        auditedClient.send(new GetObjectCommand({ Bucket: B, Key: 'dir/k', IfNoneMatch: etag })),
      );
      expect(e.$metadata.httpStatusCode).toBe(304);
      expect(recordOf(e.$metadata.requestId)).toMatchObject({
        operation: 's3:GetObject',
        outcome: 'ok',
        httpStatus: 304,
      });
    });

    it('should record no tenant or principal when the access key is unknown or the signature fails', async () => {
      const unknown = await expectS3Error(
        auditedAs({ ...ONE, accessKeyId: 'AKIASTRANGER00000001' }).send(new ListBucketsCommand({})),
        'InvalidAccessKeyId',
        403,
      );
      expect(recordOf(unknown.$metadata.requestId)).toMatchObject({
        operation: 's3:ListBuckets',
        outcome: 'InvalidAccessKeyId',
        httpStatus: 403,
        tenantId: null,
        principal: null,
        accessKeyId: null,
      });
      const forged = await expectS3Error(
        auditedAs(ONE, 'not-the-secret').send(new GetObjectCommand({ Bucket: B, Key: 'dir/k' })),
        'SignatureDoesNotMatch',
        403,
      );
      expect(recordOf(forged.$metadata.requestId)).toMatchObject({
        operation: 's3:GetObject',
        resource: `/${B}/dir/k`,
        outcome: 'SignatureDoesNotMatch',
        httpStatus: 403,
        tenantId: null,
        principal: null,
        accessKeyId: null,
      });
    });

    it('should answer only after the record is stored when storing it is held', async () => {
      try {
        // An unsigned GET /: refused, and recorded before the answer leaves.
        const held = holdRecords();
        let answered: { requestId: string; recorded: boolean } | undefined;
        const response = new Promise<{ requestId: string; recorded: boolean }>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port: auditedPort, method: 'GET', path: '/' },
            (res) => {
              const requestId = String(res.headers['x-amz-request-id']);
              // Checked as the answer arrives: the record must already be stored.
              answered = { requestId, recorded: events.some((e) => e.requestId === requestId) };
              resolve(answered);
              res.resume();
            },
          );
          req.on('error', reject);
          req.end();
        });
        const entered = await held.entered;
        await loopTurns();
        expect(answered).toBeUndefined();
        expect(events.some((e) => e.requestId === entered.requestId)).toBe(false);
        held.release();
        expect(await response).toEqual({ requestId: entered.requestId, recorded: true });
        expect(recordOf(entered.requestId).outcome).toBe('AccessDenied');

        // A signed GetObject: no answer, so no body, until its record is stored.
        const heldGet = holdRecords();
        let settled = false;
        const get = auditedClient.send(new GetObjectCommand({ Bucket: B, Key: 'dir/k' })).then((out) => {
          settled = true;
          return { out, recorded: events.some((e) => e.requestId === out.$metadata.requestId) };
        });
        const enteredGet = await heldGet.entered;
        await loopTurns();
        expect(settled).toBe(false);
        heldGet.release();
        const { out, recorded } = await get;
        expect({ requestId: out.$metadata.requestId, recorded }).toEqual({
          requestId: enteredGet.requestId,
          recorded: true,
        });
        expect(recordOf(enteredGet.requestId)).toMatchObject({ operation: 's3:GetObject', outcome: 'ok' });
        expect(await out.Body!.transformToString()).toBe('audited');
      } finally {
        gate = undefined;
        for (const release of releaseAll.splice(0)) release();
      }
    });

    it('should answer 500 InternalError and perform no read when the record cannot be stored', async () => {
      failing = true;
      try {
        const e = await expectS3Error(
          auditedClient.send(new GetObjectCommand({ Bucket: B, Key: 'dir/k' })),
          'InternalError',
          500,
        );
        expect(e.message).toBe(
          'The request could not be audited; its result is withheld (a write may have taken effect).',
        );
        const refused = await raw({ method: 'GET', path: '/', port: auditedPort });
        expect({ status: refused.status, code: codeOf(refused) }).toEqual({
          status: 500,
          code: 'InternalError',
        });
        expect(refused.body).toContain(
          'The request could not be audited; its result is withheld (a write may have taken effect).',
        );
      } finally {
        failing = false;
      }
    });

    it('should store exactly one record per request when several requests are answered', async () => {
      const before = events.length;
      const answers = await Promise.all(
        ['a', 'b', 'c'].map((k) => auditedClient.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }))),
      );
      expect(events.length - before).toBe(3);
      for (const a of answers) recordOf(a.$metadata.requestId);
      expect(new Set(events.map((e) => e.requestId)).size).toBe(events.length);
    });
  });
});
