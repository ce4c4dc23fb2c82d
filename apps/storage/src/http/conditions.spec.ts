import type { IncomingHttpHeaders } from 'node:http';

import { S3Error } from '../s3/errors.js';
import {
  type Current,
  checkWrite,
  copySourceCondition,
  readCondition,
  writeCondition,
} from './conditions.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

/** The code, status and failed condition of the error `fn` throws. */
function refusal(fn: () => unknown): { code: string; status: number; condition?: string } {
  const e = s3ErrorOf(fn);
  return {
    code: e.code,
    status: e.status,
    ...(e.fields?.['Condition'] !== undefined ? { condition: e.fields['Condition'] } : {}),
  };
}

const ETAG = '"0c78aef83f66abc1fa1e8477f296d394"';
const OTHER = '"acbd18db4cc2f85cedef654fccc4a4d8"';
/** An object last modified at 12:00:00.750: HTTP dates have seconds only. */
const current: Current = { etag: ETAG, lastModified: new Date('2026-11-29T12:00:00.750Z') };
const at = (iso: string) => new Date(iso).toUTCString();
const SAME_SECOND = at('2026-11-29T12:00:00Z');
const SECOND_BEFORE = at('2026-11-29T11:59:59Z');
const SECOND_AFTER = at('2026-11-29T12:00:01Z');

const preconditionFailed = (condition: string) => ({ code: 'PreconditionFailed', status: 412, condition });

describe('readCondition', () => {
  it('should serve the object when the request has no condition', () => {
    expect(readCondition({}, current)).toBeUndefined();
  });

  it.each([
    ['the ETag quoted', ETAG],
    ['the ETag without quotes', ETAG.slice(1, -1)],
    ['the ETag with a weak prefix', `W/${ETAG}`],
    ['a list holding the ETag', `${OTHER}, ${ETAG}`],
    ['a list without spaces holding the ETag', `${OTHER},${ETAG}`],
    ['*', '*'],
  ])('should serve the object when If-Match is %s', (_name, value) => {
    expect(readCondition({ 'if-match': value }, current)).toBeUndefined();
  });

  it.each([
    ['another ETag', OTHER],
    ['a list without the ETag', `${OTHER}, "ffff"`],
    ['the ETag with one character missing', ETAG.slice(0, -2) + '"'],
  ])('should refuse with 412 PreconditionFailed when If-Match is %s', (_name, value) => {
    expect(refusal(() => readCondition({ 'if-match': value }, current))).toEqual(
      preconditionFailed('If-Match'),
    );
  });

  it.each([
    ['the ETag', ETAG],
    ['the ETag with a weak prefix', `W/${ETAG}`],
    ['a list holding the ETag', `"ffff", ${ETAG}`],
    ['*', '*'],
  ])('should answer 304 when If-None-Match is %s', (_name, value) => {
    expect(readCondition({ 'if-none-match': value }, current)).toBe(304);
  });

  it('should serve the object when If-None-Match names only other ETags', () => {
    expect(readCondition({ 'if-none-match': `${OTHER}, W/"ffff"` }, current)).toBeUndefined();
  });

  it('should answer 304 when If-Modified-Since is the second of the last modification or later', () => {
    expect(readCondition({ 'if-modified-since': SAME_SECOND }, current)).toBe(304);
    expect(readCondition({ 'if-modified-since': SECOND_AFTER }, current)).toBe(304);
  });

  it('should serve the object when If-Modified-Since is before the second of the last modification', () => {
    expect(readCondition({ 'if-modified-since': SECOND_BEFORE }, current)).toBeUndefined();
  });

  it('should serve the object when If-Unmodified-Since is the second of the last modification or later', () => {
    expect(readCondition({ 'if-unmodified-since': SAME_SECOND }, current)).toBeUndefined();
    expect(readCondition({ 'if-unmodified-since': SECOND_AFTER }, current)).toBeUndefined();
  });

  it('should refuse with 412 PreconditionFailed when If-Unmodified-Since is before the last modification', () => {
    expect(refusal(() => readCondition({ 'if-unmodified-since': SECOND_BEFORE }, current))).toEqual(
      preconditionFailed('If-Unmodified-Since'),
    );
  });

  it('should ignore If-Unmodified-Since when If-Match holds', () => {
    expect(
      readCondition({ 'if-match': ETAG, 'if-unmodified-since': SECOND_BEFORE }, current),
    ).toBeUndefined();
  });

  it('should refuse with 412 PreconditionFailed when If-Match fails even though If-None-Match would answer 304', () => {
    expect(refusal(() => readCondition({ 'if-match': OTHER, 'if-none-match': ETAG }, current))).toEqual(
      preconditionFailed('If-Match'),
    );
  });

  it('should ignore If-Modified-Since when If-None-Match is present', () => {
    // The client's copy is another version: serve, whatever the date says.
    expect(
      readCondition({ 'if-none-match': OTHER, 'if-modified-since': SECOND_AFTER }, current),
    ).toBeUndefined();
    expect(readCondition({ 'if-none-match': ETAG, 'if-modified-since': SECOND_BEFORE }, current)).toBe(304);
  });

  it('should match when a header arrives twice as an array', () => {
    const headers = { 'if-none-match': [OTHER, ETAG] } as unknown as IncomingHttpHeaders;
    expect(readCondition(headers, current)).toBe(304);
  });

  it.each(['if-modified-since', 'if-unmodified-since'])(
    'should refuse with InvalidArgument when %s is not a date',
    (name) => {
      const e = s3ErrorOf(() => readCondition({ [name]: 'not a date' }, current));
      expect({ code: e.code, status: e.status }).toEqual({ code: 'InvalidArgument', status: 400 });
      expect(e.fields?.['ArgumentName']?.toLowerCase()).toBe(name);
    },
  );
});

describe('copySourceCondition', () => {
  it('should let the copy go on when every condition holds', () => {
    expect(() =>
      copySourceCondition(
        {
          'x-amz-copy-source-if-match': `${OTHER}, ${ETAG}`,
          'x-amz-copy-source-if-none-match': OTHER,
          'x-amz-copy-source-if-modified-since': SECOND_BEFORE,
          'x-amz-copy-source-if-unmodified-since': SAME_SECOND,
        },
        current,
      ),
    ).not.toThrow();
  });

  it.each([
    ['x-amz-copy-source-if-match', OTHER, 'x-amz-copy-source-If-Match'],
    ['x-amz-copy-source-if-none-match', `W/${ETAG}`, 'x-amz-copy-source-If-None-Match'],
    ['x-amz-copy-source-if-none-match', '*', 'x-amz-copy-source-If-None-Match'],
    ['x-amz-copy-source-if-modified-since', SAME_SECOND, 'x-amz-copy-source-If-Modified-Since'],
    ['x-amz-copy-source-if-unmodified-since', SECOND_BEFORE, 'x-amz-copy-source-If-Unmodified-Since'],
  ])('should refuse with 412 PreconditionFailed when %s is %s', (name, value, condition) => {
    expect(refusal(() => copySourceCondition({ [name]: value }, current))).toEqual(
      preconditionFailed(condition),
    );
  });

  it('should refuse with 412 PreconditionFailed when if-none-match fails and if-modified-since holds', () => {
    // S3's CopyObject reference: this pair is 412.
    expect(
      refusal(() =>
        copySourceCondition(
          {
            'x-amz-copy-source-if-none-match': ETAG,
            'x-amz-copy-source-if-modified-since': SECOND_BEFORE,
          },
          current,
        ),
      ),
    ).toEqual(preconditionFailed('x-amz-copy-source-If-None-Match'));
  });

  it('should let the copy go on when if-match holds and if-unmodified-since fails', () => {
    // S3's CopyObject reference: "x-amz-copy-source-if-match condition evaluates to true, and
    // x-amz-copy-source-if-unmodified-since condition evaluates to false: Amazon S3 returns 200 OK and copies the data"
    // (and RFC 9110 13.1.4: If-Unmodified-Since is not evaluated when If-Match is present), as readCondition does.
    expect(() =>
      copySourceCondition(
        {
          'x-amz-copy-source-if-match': ETAG,
          'x-amz-copy-source-if-unmodified-since': SECOND_BEFORE,
        },
        current,
      ),
    ).not.toThrow();
  });

  it('should refuse with InvalidArgument when a date condition is not a date', () => {
    for (const name of ['x-amz-copy-source-if-modified-since', 'x-amz-copy-source-if-unmodified-since']) {
      const e = s3ErrorOf(() => copySourceCondition({ [name]: 'yesterday' }, current));
      expect({ code: e.code, status: e.status, argument: e.fields?.['ArgumentName'] }).toEqual({
        code: 'InvalidArgument',
        status: 400,
        argument: name,
      });
    }
  });
});

describe('writeCondition', () => {
  it('should carry no condition when the request has none', () => {
    expect(writeCondition({})).toEqual({});
  });

  it('should carry If-Match as given and If-None-Match as * when the request has them', () => {
    expect(writeCondition({ 'if-match': ETAG })).toEqual({ ifMatch: ETAG });
    expect(writeCondition({ 'if-none-match': '*' })).toEqual({ ifNoneMatch: '*' });
    expect(writeCondition({ 'if-none-match': ' * ' })).toEqual({ ifNoneMatch: '*' });
  });

  it('should refuse with NotImplemented when If-None-Match on a write is an ETag', () => {
    const e = s3ErrorOf(() => writeCondition({ 'if-none-match': ETAG }));
    expect({ code: e.code, status: e.status, header: e.fields?.['Header'] }).toEqual({
      code: 'NotImplemented',
      status: 501,
      header: 'If-None-Match',
    });
  });
});

describe('checkWrite', () => {
  it('should let a write without a condition replace or create', () => {
    expect(() => checkWrite({}, current, 'k')).not.toThrow();
    expect(() => checkWrite({}, undefined, 'k')).not.toThrow();
  });

  it('should let If-None-Match * create when there is no current version', () => {
    expect(() => checkWrite({ ifNoneMatch: '*' }, undefined, 'k')).not.toThrow();
  });

  it('should refuse with 412 PreconditionFailed when If-None-Match * meets a current version', () => {
    expect(refusal(() => checkWrite({ ifNoneMatch: '*' }, current, 'k'))).toEqual(
      preconditionFailed('If-None-Match'),
    );
  });

  it.each([
    ['the ETag', ETAG],
    ['the ETag without quotes', ETAG.slice(1, -1)],
    ['a list holding the ETag', `${OTHER}, ${ETAG}`],
    ['*', '*'],
  ])('should let If-Match replace when it is %s', (_name, ifMatch) => {
    expect(() => checkWrite({ ifMatch }, current, 'k')).not.toThrow();
  });

  it('should refuse with 412 PreconditionFailed when If-Match names another ETag', () => {
    expect(refusal(() => checkWrite({ ifMatch: OTHER }, current, 'k'))).toEqual(
      preconditionFailed('If-Match'),
    );
  });

  it('should refuse with NoSuchKey when If-Match meets no current version', () => {
    const e = s3ErrorOf(() => checkWrite({ ifMatch: ETAG }, undefined, 'the/key'));
    expect({ code: e.code, status: e.status, key: e.fields?.['Key'] }).toEqual({
      code: 'NoSuchKey',
      status: 404,
      key: 'the/key',
    });
  });
});
