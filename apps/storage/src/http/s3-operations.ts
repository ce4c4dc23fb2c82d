import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import type { BucketsService } from '../buckets/buckets.service.js';
import type { MultipartService } from '../multipart/multipart.service.js';
import type { ObjectInfo, ObjectsService, StoredMetadata } from '../objects/objects.service.js';
import type { BucketEntity } from '../objects/storage.entities.js';
import { S3Error } from '../s3/errors.js';
import { ObjectLister, parseEncodingType, parseMaxKeys } from '../s3/listing.js';
import { checkObjectKey, checkUserMetadata } from '../s3/names.js';
import { MAX_PART_NUMBER, contentRange, parsePartNumber, parseRange } from '../s3/range.js';
import {
  completeMultipartUploadXml,
  copyObjectResultXml,
  deleteResultXml,
  initiateMultipartUploadXml,
  listBucketsXml,
  listMultipartUploadsXml,
  listObjectsV2Xml,
  listPartsXml,
  locationConstraintXml,
  parseCompleteMultipartUpload,
  parseCreateBucketConfiguration,
  parseDeleteObjects,
} from '../s3/xml.js';
import { copySourceCondition, readCondition, writeCondition } from './conditions.js';
import { type Ingest, readSmallBody } from './ingest.js';
import type { S3Request } from './s3-server.js';

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
/** Objects listed per database query while a ListObjectsV2 page fills. */
const LIST_BATCH = 1000;

/** Answers an XML document, once the request's audit record is stored. */
async function sendXml(r: S3Request, status: number, body: string): Promise<void> {
  await r.answer(status);
  r.res.statusCode = status;
  r.res.setHeader('Content-Type', 'application/xml');
  r.res.setHeader('Content-Length', Buffer.byteLength(body));
  r.res.end(body);
}

/** Answers a status with no body, once the request's audit record is stored. */
async function sendEmpty(r: S3Request, status: number): Promise<void> {
  await r.answer(status);
  r.res.statusCode = status;
  r.res.setHeader('Content-Length', 0);
  r.res.end();
}

/**
 * The S3 operation a request names, `PutObject`, `ListObjectsV2`, ...: how dispatch routes it, and its name in the
 * audit record and the metrics (a request refused before it runs still has one). `Unknown`: MethodNotAllowed.
 */
export function operationName(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: ReadonlyMap<string, string>,
  headers: IncomingHttpHeaders,
): string {
  if (bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) {
    const list = query.has('location')
      ? 'GetBucketLocation'
      : query.get('list-type') === '2'
        ? 'ListObjectsV2'
        : query.has('uploads')
          ? 'ListMultipartUploads'
          : query.has('versions')
            ? 'ListObjectVersions'
            : 'ListObjects';
    const byMethod: Record<string, string> = {
      PUT: 'CreateBucket',
      HEAD: 'HeadBucket',
      DELETE: 'DeleteBucket',
      GET: list,
      POST: query.has('delete') ? 'DeleteObjects' : 'Unknown',
    };
    return byMethod[method] ?? 'Unknown';
  }
  const upload = query.has('uploadId');
  const copy = headers['x-amz-copy-source'] !== undefined;
  const byMethod: Record<string, string> = {
    PUT: upload ? (copy ? 'UploadPartCopy' : 'UploadPart') : copy ? 'CopyObject' : 'PutObject',
    GET: upload ? 'ListParts' : 'GetObject',
    HEAD: 'HeadObject',
    DELETE: upload ? 'AbortMultipartUpload' : 'DeleteObject',
    POST: query.has('uploads') ? 'CreateMultipartUpload' : upload ? 'CompleteMultipartUpload' : 'Unknown',
  };
  return byMethod[method] ?? 'Unknown';
}

const notImplemented = (what: string) =>
  new S3Error('NotImplemented', `${what} is not implemented by this service.`);

/**
 * The headers S3 answers an object with (HEAD and GET). Its checksum only when the client asks for it
 * (x-amz-checksum-mode: ENABLED) and the whole object is served: a client checks a range against it and fails.
 */
function objectHeaders(r: S3Request, info: ObjectInfo, whole: boolean): void {
  const res = r.res;
  res.setHeader('ETag', info.etag);
  res.setHeader('Last-Modified', info.lastModified.toUTCString());
  res.setHeader('Content-Type', info.contentType);
  res.setHeader('Accept-Ranges', 'bytes');
  for (const [name, value] of Object.entries(info.metadata.user)) res.setHeader(name, value);
  const mode = r.req.headers['x-amz-checksum-mode'];
  if (info.metadata.checksum && whole && typeof mode === 'string' && mode.toUpperCase() === 'ENABLED') {
    res.setHeader(`x-amz-checksum-${info.metadata.checksum.algorithm}`, info.metadata.checksum.value);
  }
}

/** The object's content type and user metadata from a PUT or CreateMultipartUpload. */
function newObjectHeaders(req: IncomingMessage): { contentType: string; user: Record<string, string> } {
  const contentType = req.headers['content-type'];
  return {
    contentType:
      typeof contentType === 'string' && contentType !== ''
        ? contentType.slice(0, 256)
        : DEFAULT_CONTENT_TYPE,
    user: checkUserMetadata(req.headersDistinct),
  };
}

/** The S3 operations, chosen by method, path (bucket, key) and query, as S3 routes them. */
export class S3Operations {
  constructor(
    private readonly buckets: BucketsService,
    private readonly objects: ObjectsService,
    private readonly multipart: MultipartService,
    private readonly ingest: Ingest,
    private readonly region: string,
  ) {}

  /** Runs the operation the server named (operationName: the one place requests are routed). */
  async dispatch(r: S3Request): Promise<void> {
    const tenant = r.caller.accountId;
    const notAllowed = () =>
      new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (r.bucket === undefined) {
      if (r.operation === 'ListBuckets') return this.listBuckets(r);
      throw notAllowed();
    }
    const name = r.bucket;
    if (r.key === undefined) {
      switch (r.operation) {
        case 'CreateBucket':
          return this.createBucket(r, name);
        case 'HeadBucket':
          await this.buckets.find(tenant, name);
          r.res.setHeader('x-amz-bucket-region', this.region);
          return sendEmpty(r, 200);
        case 'DeleteBucket':
          if (r.query.size > 0) throw notImplemented(`Bucket configuration (?${[...r.query.keys()][0]})`);
          await this.buckets.delete(tenant, name);
          return sendEmpty(r, 204);
      }
      const bucket = await this.buckets.find(tenant, name);
      switch (r.operation) {
        case 'GetBucketLocation':
          return sendXml(r, 200, locationConstraintXml(this.region));
        case 'ListObjectsV2':
          return this.listObjectsV2(r, bucket);
        case 'ListMultipartUploads':
          return this.listUploads(r, bucket);
        case 'DeleteObjects':
          return this.deleteObjects(r, bucket);
        case 'ListObjectVersions':
          throw notImplemented('ListObjectVersions');
        case 'ListObjects': {
          const unknown = [...r.query.keys()].find(
            (k) => !['prefix', 'delimiter', 'max-keys', 'marker', 'encoding-type'].includes(k),
          );
          if (unknown !== undefined) throw notImplemented(`Bucket configuration (?${unknown})`);
          throw notImplemented('ListObjects (version 1; use ListObjectsV2, list-type=2)');
        }
        default:
          throw notAllowed();
      }
    }
    const key = r.key;
    checkObjectKey(key);
    const bucket = await this.buckets.find(tenant, name);
    const uploadId = r.query.get('uploadId') ?? '';
    switch (r.operation) {
      case 'PutObject':
        return this.putObject(r, bucket, key);
      case 'CopyObject':
        return this.copyObject(r, bucket, key);
      case 'GetObject':
        return this.getObject(r, bucket, key, true);
      case 'HeadObject':
        return this.getObject(r, bucket, key, false);
      case 'DeleteObject':
        await this.objects.delete(bucket, key);
        return sendEmpty(r, 204);
      case 'CreateMultipartUpload':
        return this.createUpload(r, bucket, key);
      case 'UploadPart':
        return this.uploadPart(r, bucket, key, uploadId);
      case 'UploadPartCopy':
        throw notImplemented('UploadPartCopy');
      case 'ListParts':
        return this.listParts(r, bucket, key, uploadId);
      case 'CompleteMultipartUpload':
        return this.completeUpload(r, bucket, key, uploadId);
      case 'AbortMultipartUpload':
        await this.multipart.abort(await this.multipart.find(bucket, key, uploadId));
        return sendEmpty(r, 204);
      default:
        throw notAllowed();
    }
  }

  private async createBucket(r: S3Request, name: string): Promise<void> {
    if (r.query.size > 0) throw notImplemented(`Bucket configuration (?${[...r.query.keys()][0]})`);
    const location = parseCreateBucketConfiguration(await readSmallBody(r, 'createBucketConfiguration'));
    if (location !== undefined && location !== this.region) {
      throw new S3Error(
        'InvalidLocationConstraint',
        `The specified location-constraint is not valid: this service serves ${this.region}.`,
        `/${name}`,
        { LocationConstraint: location },
      );
    }
    await this.buckets.create(r.caller.accountId, name);
    r.res.setHeader('Location', `/${name}`);
    return sendEmpty(r, 200);
  }

  private async listBuckets(r: S3Request): Promise<void> {
    const buckets = await this.buckets.list(r.caller.accountId);
    return sendXml(
      r,
      200,
      listBucketsXml({
        ownerId: r.caller.accountId,
        ownerName: r.caller.accountId,
        buckets: buckets.map((b) => ({ name: b.name, creationDate: b.createdAt })),
      }),
    );
  }

  private async listObjectsV2(r: S3Request, bucket: BucketEntity): Promise<void> {
    const prefix = r.query.get('prefix') ?? '';
    const delimiter = r.query.get('delimiter');
    const startAfter = r.query.get('start-after');
    const continuationToken = r.query.get('continuation-token');
    const maxKeys = parseMaxKeys(r.query.get('max-keys'));
    const encodingType = parseEncodingType(r.query.get('encoding-type'));
    const lister = new ObjectLister<ObjectInfo>({
      prefix,
      maxKeys,
      ...(delimiter !== undefined ? { delimiter } : {}),
      ...(startAfter !== undefined ? { startAfter } : {}),
      ...(continuationToken !== undefined ? { continuationToken } : {}),
    });
    while (lister.wantsMore) {
      const batch = await this.objects.page(bucket, prefix, lister.after ?? '', LIST_BATCH);
      lister.push(batch, batch.length < LIST_BATCH);
    }
    const page = lister.result();
    return sendXml(
      r,
      200,
      listObjectsV2Xml({
        bucket: bucket.name,
        prefix,
        maxKeys,
        keyCount: page.keyCount,
        isTruncated: page.isTruncated,
        contents: page.contents.map((o) => ({
          key: o.key,
          lastModified: o.lastModified,
          etag: o.etag,
          size: o.size,
        })),
        commonPrefixes: page.commonPrefixes,
        ...(delimiter !== undefined ? { delimiter } : {}),
        ...(startAfter !== undefined ? { startAfter } : {}),
        ...(continuationToken !== undefined ? { continuationToken } : {}),
        ...(page.nextContinuationToken !== undefined
          ? { nextContinuationToken: page.nextContinuationToken }
          : {}),
        ...(encodingType !== undefined ? { encodingType } : {}),
      }),
    );
  }

  private async putObject(r: S3Request, bucket: BucketEntity, key: string): Promise<void> {
    const { contentType, user } = newObjectHeaders(r.req);
    const condition = writeCondition(r.req.headers);
    const body = await this.ingest.receive(r);
    const metadata: StoredMetadata = { user, ...(body.checksum ? { checksum: body.checksum } : {}) };
    try {
      await this.objects.commit(
        bucket,
        key,
        {
          size: body.size,
          etag: body.etag,
          contentType,
          metadata,
          blobs: [{ blobId: body.blobId, size: body.size }],
        },
        undefined,
        condition,
      );
    } catch (e) {
      await this.ingest.discard(body.blobId);
      throw e;
    }
    r.res.setHeader('ETag', body.etag);
    if (body.checksum) r.res.setHeader(`x-amz-checksum-${body.checksum.algorithm}`, body.checksum.value);
    return sendEmpty(r, 200);
  }

  private async getObject(r: S3Request, bucket: BucketEntity, key: string, withBody: boolean): Promise<void> {
    if (r.query.has('partNumber')) throw notImplemented('GetObject by part number');
    const info = await this.objects.find(bucket, key);
    if (readCondition(r.req.headers, info) === 304) {
      await r.answer(304);
      r.res.setHeader('ETag', info.etag);
      r.res.setHeader('Last-Modified', info.lastModified.toUTCString());
      r.res.statusCode = 304;
      r.res.end();
      return;
    }
    const range = parseRange(r.req.headers.range, info.size);
    await r.answer(range ? 206 : 200);
    objectHeaders(r, info, range === undefined || (range.start === 0 && range.end === info.size - 1));
    if (range) {
      r.res.statusCode = 206;
      r.res.setHeader('Content-Range', contentRange(range, info.size));
      r.res.setHeader('Content-Length', range.end - range.start + 1);
    } else {
      r.res.statusCode = 200;
      r.res.setHeader('Content-Length', info.size);
    }
    if (!withBody || info.size === 0) {
      r.res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = this.objects.read(info, range);
      stream.once('error', reject);
      r.res.once('close', () => {
        stream.destroy();
        resolve();
      });
      r.res.once('finish', resolve);
      stream.pipe(r.res);
    });
  }

  private async copyObject(r: S3Request, bucket: BucketEntity, key: string): Promise<void> {
    const source = parseCopySource(String(r.req.headers['x-amz-copy-source']));
    const from = await this.buckets.find(r.caller.accountId, source.bucket);
    const info = await this.objects.find(from, source.key);
    copySourceCondition(r.req.headers, info);
    const condition = writeCondition(r.req.headers);
    if (info.size > this.ingest.maxBytes) {
      throw new S3Error(
        'InvalidRequest',
        `The specified copy source is larger than the maximum allowable size for a copy source: ${this.ingest.maxBytes}`,
      );
    }
    const directive = String(r.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw new S3Error('InvalidArgument', 'Unknown metadata directive.', undefined, {
        ArgumentName: 'x-amz-metadata-directive',
      });
    }
    if (directive === 'COPY' && source.bucket === bucket.name && source.key === key) {
      throw new S3Error(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const replaced = directive === 'REPLACE' ? newObjectHeaders(r.req) : undefined;
    const copy = await this.ingest.storeCopy(this.objects.read(info));
    const lastModified = await this.objects
      .commit(
        bucket,
        key,
        {
          size: info.size,
          etag: copy.etag,
          contentType: replaced?.contentType ?? info.contentType,
          // The bytes are the same: their checksum stays whatever the metadata directive.
          metadata: replaced ? { ...info.metadata, user: replaced.user } : info.metadata,
          blobs: [{ blobId: copy.blobId, size: copy.size }],
        },
        undefined,
        condition,
      )
      .catch(async (e: unknown) => {
        await this.ingest.discard(copy.blobId);
        throw e;
      });
    return sendXml(r, 200, copyObjectResultXml({ etag: copy.etag, lastModified }));
  }

  private async deleteObjects(r: S3Request, bucket: BucketEntity): Promise<void> {
    const { quiet, keys } = parseDeleteObjects(await readSmallBody(r, 'deleteObjects'));
    const deleted: { key: string }[] = [];
    const errors: { key: string; code: string; message: string }[] = [];
    for (const key of keys) {
      try {
        checkObjectKey(key);
        await this.objects.delete(bucket, key);
        deleted.push({ key });
      } catch (e) {
        if (!(e instanceof S3Error)) throw e;
        errors.push({ key, code: e.code, message: e.message });
      }
    }
    return sendXml(r, 200, deleteResultXml({ deleted, errors, quiet }));
  }

  private async listUploads(r: S3Request, bucket: BucketEntity): Promise<void> {
    if (r.query.has('delimiter')) throw notImplemented('ListMultipartUploads with a delimiter');
    const prefix = r.query.get('prefix') ?? '';
    const keyMarker = r.query.get('key-marker') ?? '';
    // S3 reads upload-id-marker only with a key-marker.
    const uploadIdMarker = keyMarker === '' ? '' : (r.query.get('upload-id-marker') ?? '');
    const maxUploads = parseLimit(r.query.get('max-uploads'), 'max-uploads');
    const uploads = await this.multipart.list(bucket, prefix, keyMarker, uploadIdMarker, maxUploads + 1);
    const shown = uploads.slice(0, maxUploads);
    const last = shown.at(-1);
    return sendXml(
      r,
      200,
      listMultipartUploadsXml({
        bucket: bucket.name,
        keyMarker,
        uploadIdMarker,
        nextKeyMarker: last?.key ?? '',
        nextUploadIdMarker: last?.uploadId ?? '',
        prefix,
        maxUploads,
        isTruncated: uploads.length > maxUploads,
        uploads: shown.map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: u.initiatedAt })),
        ownerId: r.caller.accountId,
      }),
    );
  }

  private async createUpload(r: S3Request, bucket: BucketEntity, key: string): Promise<void> {
    const { contentType, user } = newObjectHeaders(r.req);
    const uploadId = await this.multipart.create(bucket, key, contentType, { user });
    return sendXml(r, 200, initiateMultipartUploadXml({ bucket: bucket.name, key, uploadId }));
  }

  private async uploadPart(r: S3Request, bucket: BucketEntity, key: string, uploadId: string): Promise<void> {
    const partNumber = parsePartNumber(r.query.get('partNumber'));
    if (partNumber === undefined) {
      throw new S3Error(
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive',
        undefined,
        {
          ArgumentName: 'partNumber',
        },
      );
    }
    const upload = await this.multipart.find(bucket, key, uploadId);
    const body = await this.ingest.receive(r);
    await this.multipart
      .putPart(upload, partNumber, body.blobId, body.size, body.etag)
      .catch(async (e: unknown) => {
        await this.ingest.discard(body.blobId);
        throw e;
      });
    r.res.setHeader('ETag', body.etag);
    if (body.checksum) r.res.setHeader(`x-amz-checksum-${body.checksum.algorithm}`, body.checksum.value);
    return sendEmpty(r, 200);
  }

  private async listParts(r: S3Request, bucket: BucketEntity, key: string, uploadId: string): Promise<void> {
    const upload = await this.multipart.find(bucket, key, uploadId);
    const maxParts = parseLimit(r.query.get('max-parts'), 'max-parts');
    const marker = parseLimit(
      r.query.get('part-number-marker') ?? '0',
      'part-number-marker',
      MAX_PART_NUMBER,
    );
    const parts = await this.multipart.parts(upload, marker, maxParts + 1);
    const shown = parts.slice(0, maxParts);
    return sendXml(
      r,
      200,
      listPartsXml({
        bucket: bucket.name,
        key,
        uploadId: upload.uploadId,
        partNumberMarker: marker,
        nextPartNumberMarker: shown.at(-1)?.partNumber ?? 0,
        maxParts,
        isTruncated: parts.length > maxParts,
        parts: shown,
        ownerId: r.caller.accountId,
      }),
    );
  }

  private async completeUpload(
    r: S3Request,
    bucket: BucketEntity,
    key: string,
    uploadId: string,
  ): Promise<void> {
    const upload = await this.multipart.find(bucket, key, uploadId);
    const condition = writeCondition(r.req.headers);
    const listed = parseCompleteMultipartUpload(await readSmallBody(r, 'completeMultipartUpload'));
    const { etag } = await this.multipart.complete(bucket, upload, listed, condition);
    return sendXml(
      r,
      200,
      completeMultipartUploadXml({ location: `/${bucket.name}/${key}`, bucket: bucket.name, key, etag }),
    );
  }
}

/** `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded; `?versionId=` is refused (no versions here). */
export function parseCopySource(header: string): { bucket: string; key: string } {
  let value = header.startsWith('/') ? header.slice(1) : header;
  if (value.includes('?')) {
    throw new S3Error(
      'InvalidArgument',
      'Copy source versions are not supported: this service keeps no versions.',
      undefined,
      {
        ArgumentName: 'x-amz-copy-source',
      },
    );
  }
  try {
    value = decodeURIComponent(value);
  } catch {
    value = '';
  }
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) {
    throw new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      undefined,
      {
        ArgumentName: 'x-amz-copy-source',
      },
    );
  }
  const key = value.slice(slash + 1);
  checkObjectKey(key);
  return { bucket: value.slice(0, slash), key };
}

/** A non-negative integer query value up to `max` (max-parts: 1000 by default and at most). */
function parseLimit(value: string | undefined, name: string, max = 1000): number {
  if (value === undefined) return max;
  if (!/^\d{1,6}$/.test(value) || Number(value) > max) {
    throw new S3Error(
      'InvalidArgument',
      `Provided ${name} not an integer or within integer range`,
      undefined,
      {
        ArgumentName: name,
        ArgumentValue: value.slice(0, 32),
      },
    );
  }
  return Number(value);
}
