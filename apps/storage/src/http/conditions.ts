import type { IncomingHttpHeaders } from 'node:http';

import { S3Error } from '../s3/errors.js';

/** What a conditional request needs to know of the object it names (or of its absence: undefined). */
export interface Current {
  etag: string;
  lastModified: Date;
}

/** The write conditions S3 takes on PutObject and CompleteMultipartUpload: compared with the version replaced. */
export interface WriteCondition {
  /** If-Match: the current version must have this ETag. */
  ifMatch?: string;
  /** If-None-Match: `*`: there must be no current version (create only). */
  ifNoneMatch?: '*';
}

const bare = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

const preconditionFailed = (condition: string) =>
  new S3Error(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    undefined,
    {
      Condition: condition,
    },
  );

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** An HTTP date, or InvalidArgument. */
function httpDate(value: string, name: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new S3Error('InvalidArgument', `${name} is not an HTTP date.`, undefined, { ArgumentName: name });
  }
  return d;
}

/** A list of ETags (`"a", "b"`) or `*`, as If-Match and If-None-Match carry them, matched against `etag`. */
function matches(list: string, etag: string): boolean {
  return list.split(',').some((e) => e.trim() === '*' || bare(e) === bare(etag));
}

/** Seconds: HTTP dates have no milliseconds. */
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * GET and HEAD conditions (RFC 9110 and S3's order): If-Match failing is 412, If-None-Match matching is 304 (then
 * If-Modified-Since is not looked at), If-Unmodified-Since failing is 412 unless If-Match held, If-Modified-Since
 * failing is 304. Returns 304 when the client's copy is current, else undefined (serve the object).
 */
export function readCondition(headers: IncomingHttpHeaders, current: Current): 304 | undefined {
  const ifMatch = single(headers, 'if-match');
  const ifNoneMatch = single(headers, 'if-none-match');
  const ifModifiedSince = single(headers, 'if-modified-since');
  const ifUnmodifiedSince = single(headers, 'if-unmodified-since');
  if (ifMatch !== undefined && !matches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
  if (
    ifMatch === undefined &&
    ifUnmodifiedSince !== undefined &&
    seconds(current.lastModified) > seconds(httpDate(ifUnmodifiedSince, 'If-Unmodified-Since'))
  ) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) return matches(ifNoneMatch, current.etag) ? 304 : undefined;
  if (
    ifModifiedSince !== undefined &&
    seconds(current.lastModified) <= seconds(httpDate(ifModifiedSince, 'If-Modified-Since'))
  ) {
    return 304;
  }
  return undefined;
}

/** CopyObject's conditions on its source (x-amz-copy-source-if-*): any that fails is 412. */
export function copySourceCondition(headers: IncomingHttpHeaders, source: Current): void {
  const ifMatch = single(headers, 'x-amz-copy-source-if-match');
  const ifNoneMatch = single(headers, 'x-amz-copy-source-if-none-match');
  const ifModifiedSince = single(headers, 'x-amz-copy-source-if-modified-since');
  const ifUnmodifiedSince = single(headers, 'x-amz-copy-source-if-unmodified-since');
  if (ifMatch !== undefined && !matches(ifMatch, source.etag)) {
    throw preconditionFailed('x-amz-copy-source-If-Match');
  }
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, source.etag)) {
    throw preconditionFailed('x-amz-copy-source-If-None-Match');
  }
  // As for GET (RFC 9110 13.1.4): an If-Match that held makes If-Unmodified-Since moot.
  if (
    ifMatch === undefined &&
    ifUnmodifiedSince !== undefined &&
    seconds(source.lastModified) >
      seconds(httpDate(ifUnmodifiedSince, 'x-amz-copy-source-if-unmodified-since'))
  ) {
    throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (
    ifModifiedSince !== undefined &&
    seconds(source.lastModified) <= seconds(httpDate(ifModifiedSince, 'x-amz-copy-source-if-modified-since'))
  ) {
    throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}

/** The write condition of a PutObject or CompleteMultipartUpload, checked by the commit against the current version. */
export function writeCondition(headers: IncomingHttpHeaders): WriteCondition {
  const ifMatch = single(headers, 'if-match');
  const ifNoneMatch = single(headers, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', 'If-None-Match on a write takes only *.', undefined, {
      Header: 'If-None-Match',
    });
  }
  return {
    ...(ifMatch !== undefined ? { ifMatch } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: '*' as const } : {}),
  };
}

/** Throws 412 (or NoSuchKey for If-Match on a missing object, as S3 does) when `current` fails `condition`. */
export function checkWrite(condition: WriteCondition, current: Current | undefined, key: string): void {
  if (condition.ifNoneMatch && current !== undefined) throw preconditionFailed('If-None-Match');
  if (condition.ifMatch !== undefined) {
    if (current === undefined) {
      throw new S3Error('NoSuchKey', 'The specified key does not exist.', undefined, { Key: key });
    }
    if (!matches(condition.ifMatch, current.etag)) throw preconditionFailed('If-Match');
  }
}
