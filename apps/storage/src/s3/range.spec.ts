import { S3Error } from './errors.js';
import { contentRange, parsePartNumber, parseRange } from './range.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('parseRange', () => {
  it('should return undefined when there is no Range header', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
  });

  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-10', { start: 10, end: 10 }],
    ['bytes=90-99', { start: 90, end: 99 }],
    ['bytes=90-1000', { start: 90, end: 99 }],
    ['bytes=50-', { start: 50, end: 99 }],
    ['bytes=99-', { start: 99, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-100', { start: 0, end: 99 }],
    ['bytes=-1000', { start: 0, end: 99 }],
    ['bytes=0-99999999999999999999999', { start: 0, end: 99 }],
    ['Bytes=0-0', { start: 0, end: 0 }],
    [' bytes=1-2 ', { start: 1, end: 2 }],
  ])('should select the bytes when the header is %s on a 100-byte object', (header, range) => {
    expect(parseRange(header, 100)).toEqual(range);
  });

  it.each([
    ['another unit', 'items=0-9'],
    ['no unit', '0-9'],
    ['no numbers', 'bytes=-'],
    ['a start after the end', 'bytes=9-0'],
    ['several ranges', 'bytes=0-1,5-6'],
    ['a negative number', 'bytes=--5'],
    ['letters', 'bytes=a-b'],
    ['a fractional number', 'bytes=1.5-3'],
    ['spaces inside', 'bytes=0 - 9'],
    ['an empty value', ''],
  ])('should ignore the header and return undefined when it has %s', (_name, header) => {
    expect(parseRange(header, 100)).toBeUndefined();
  });

  it.each([
    ['bytes=100-', 100],
    ['bytes=100-200', 100],
    ['bytes=1000-2000', 100],
    ['bytes=99999999999999999999-', 100],
    ['bytes=-0', 100],
    ['bytes=0-', 0],
    ['bytes=0-0', 0],
    ['bytes=-5', 0],
  ])('should refuse with InvalidRange when the header is %s on an object of %i bytes', (header, size) => {
    const err = s3ErrorOf(() => parseRange(header, size));
    expect(err.code).toBe('InvalidRange');
    expect(err.status).toBe(416);
    expect(err.message).toBe('The requested range is not satisfiable');
    expect(err.fields).toEqual({ RangeRequested: header, ActualObjectSize: String(size) });
  });
});

describe('contentRange', () => {
  it('should write bytes start-end/size when given a range', () => {
    expect(contentRange({ start: 0, end: 99 }, 1234)).toBe('bytes 0-99/1234');
    expect(contentRange({ start: 5, end: 5 }, 6)).toBe('bytes 5-5/6');
  });
});

describe('parsePartNumber', () => {
  it('should return undefined when the parameter is absent', () => {
    expect(parsePartNumber(undefined)).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['10000', 10000],
    ['42', 42],
    ['007', 7],
  ])('should return the number when the parameter is %s', (value, n) => {
    expect(parsePartNumber(value)).toBe(n);
  });

  it.each(['0', '10001', 'x', '', '-1', '+1', '1.0', '1e3', ' 1', '99999', '000001', '0x10'])(
    "should refuse with InvalidArgument when the parameter is '%s'",
    (value) => {
      const err = s3ErrorOf(() => parsePartNumber(value));
      expect(err.code).toBe('InvalidArgument');
      expect(err.status).toBe(400);
      expect(err.message).toBe('Part number must be an integer between 1 and 10000, inclusive');
      expect(err.fields).toEqual({ ArgumentName: 'partNumber', ArgumentValue: value });
    },
  );
});
