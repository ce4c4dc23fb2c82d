import type { IncomingHttpHeaders } from 'node:http';

import { S3Error } from '../s3/errors.js';
import { operationName, parseCopySource } from './s3-operations.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('parseCopySource', () => {
  it.each([
    ['bkt/key', 'key'],
    ['/bkt/key', 'key'],
    ['bkt/dir/sub/file.txt', 'dir/sub/file.txt'],
    ['bkt/a%20b%2Fc', 'a b/c'],
    ['bkt/%C3%BCn%C3%AF', 'ünï'],
    ['bkt/a%3Fb', 'a?b'],
    ['bkt/a+b', 'a+b'],
  ])('should split and decode the source when the header is %s', (header, key) => {
    expect(parseCopySource(header)).toEqual({ bucket: 'bkt', key });
  });

  it('should refuse with InvalidArgument when the source names a version', () => {
    const e = s3ErrorOf(() => parseCopySource('bkt/key?versionId=3'));
    expect(e.code).toBe('InvalidArgument');
    expect(e.message).toBe('Copy source versions are not supported: this service keeps no versions.');
    expect(e.fields).toEqual({ ArgumentName: 'x-amz-copy-source' });
  });

  it.each(['bkt', '/bkt', 'bkt/', '/bkt/', '//key', '/', '', 'bkt%2', 'bkt/%zz'])(
    'should refuse with InvalidArgument when %j does not name a bucket and a key',
    (header) => {
      const e = s3ErrorOf(() => parseCopySource(header));
      expect(e.code).toBe('InvalidArgument');
      expect(e.message).toBe('Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
      expect(e.fields).toEqual({ ArgumentName: 'x-amz-copy-source' });
    },
  );

  it('should refuse with KeyTooLongError when the source key is over 1024 bytes', () => {
    expect(s3ErrorOf(() => parseCopySource(`bkt/${'k'.repeat(1025)}`)).code).toBe('KeyTooLongError');
  });
});

describe('operationName', () => {
  const COPY = { 'x-amz-copy-source': '/src/key' };
  /** method, bucket, key, query, headers, name: as dispatch routes the request. */
  const table: [
    string,
    string | undefined,
    string | undefined,
    Record<string, string>,
    IncomingHttpHeaders,
    string,
  ][] = [
    ['GET', undefined, undefined, {}, {}, 'ListBuckets'],
    ['PUT', undefined, undefined, {}, {}, 'Unknown'],
    ['POST', undefined, undefined, {}, {}, 'Unknown'],
    ['PUT', 'b', undefined, {}, {}, 'CreateBucket'],
    ['HEAD', 'b', undefined, {}, {}, 'HeadBucket'],
    ['DELETE', 'b', undefined, {}, {}, 'DeleteBucket'],
    ['GET', 'b', undefined, { location: '' }, {}, 'GetBucketLocation'],
    ['GET', 'b', undefined, { uploads: '' }, {}, 'ListMultipartUploads'],
    ['GET', 'b', undefined, { uploads: '', prefix: 'a', 'max-uploads': '2' }, {}, 'ListMultipartUploads'],
    ['GET', 'b', undefined, { 'list-type': '2' }, {}, 'ListObjectsV2'],
    ['GET', 'b', undefined, { 'list-type': '2', prefix: 'p', delimiter: '/' }, {}, 'ListObjectsV2'],
    ['GET', 'b', undefined, {}, {}, 'ListObjects'],
    ['GET', 'b', undefined, { prefix: 'p' }, {}, 'ListObjects'],
    // Dispatch looks at list-type=2 before uploads, and serves list-type=1 and versions as other operations.
    ['GET', 'b', undefined, { uploads: '', 'list-type': '2' }, {}, 'ListObjectsV2'],
    ['GET', 'b', undefined, { 'list-type': '1' }, {}, 'ListObjects'],
    ['GET', 'b', undefined, { versions: '' }, {}, 'ListObjectVersions'],
    ['POST', 'b', undefined, { delete: '' }, {}, 'DeleteObjects'],
    ['POST', 'b', undefined, {}, {}, 'Unknown'],
    ['PATCH', 'b', undefined, {}, {}, 'Unknown'],
    ['PUT', 'b', 'k', {}, {}, 'PutObject'],
    ['PUT', 'b', 'k', {}, COPY, 'CopyObject'],
    ['PUT', 'b', 'k', { partNumber: '1', uploadId: 'u' }, {}, 'UploadPart'],
    ['PUT', 'b', 'k', { partNumber: '1', uploadId: 'u' }, COPY, 'UploadPartCopy'],
    ['GET', 'b', 'k', {}, {}, 'GetObject'],
    ['GET', 'b', 'k', { uploadId: 'u' }, {}, 'ListParts'],
    ['HEAD', 'b', 'k', {}, {}, 'HeadObject'],
    ['DELETE', 'b', 'k', {}, {}, 'DeleteObject'],
    ['DELETE', 'b', 'k', { uploadId: 'u' }, {}, 'AbortMultipartUpload'],
    ['POST', 'b', 'k', { uploads: '' }, {}, 'CreateMultipartUpload'],
    ['POST', 'b', 'k', { uploadId: 'u' }, {}, 'CompleteMultipartUpload'],
    ['POST', 'b', 'k', {}, {}, 'Unknown'],
    ['OPTIONS', 'b', 'k', {}, {}, 'Unknown'],
  ];

  /** `GET /b/k?uploadId=u (copy)`: the request as a test name. */
  const label = (
    method: string,
    bucket: string | undefined,
    key: string | undefined,
    query: Record<string, string>,
    headers: IncomingHttpHeaders,
  ) => {
    const path = bucket === undefined ? '/' : key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
    const q = Object.entries(query)
      .map(([n, v]) => (v === '' ? n : `${n}=${v}`))
      .join('&');
    return `${method} ${path}${q === '' ? '' : `?${q}`}${Object.keys(headers).length > 0 ? ' with x-amz-copy-source' : ''}`;
  };

  it.each(table.map((row) => [label(row[0], row[1], row[2], row[3], row[4]), ...row] as const))(
    'should name the operation as dispatch routes it when the request is %s',
    (_label, method, bucket, key, query, headers, name) => {
      expect(operationName(method, bucket, key, new Map(Object.entries(query)), headers)).toBe(name);
    },
  );
});
