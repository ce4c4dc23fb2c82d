import { S3Error } from '../s3/errors.js';
import { parsePath, parseQuery } from './s3-server.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('parsePath', () => {
  it('should name neither bucket nor key when the path is the root', () => {
    expect(parsePath('/')).toEqual({});
  });

  it.each([
    ['/bucket', 'bucket'],
    ['/bucket/', 'bucket'],
    ['/my%2Dbucket', 'my-bucket'],
  ])('should name only the bucket when the path is %s', (path, bucket) => {
    expect(parsePath(path)).toEqual({ bucket });
  });

  it.each([
    ['/bucket/key', 'key'],
    ['/bucket/a/b/c.txt', 'a/b/c.txt'],
    ['/bucket/a//b/', 'a//b/'],
    ['/bucket//', '/'],
    ['/bucket//lead', '/lead'],
    ['/bucket/sp%20ace%2Fslash', 'sp ace/slash'],
    ['/bucket/a+b', 'a+b'],
    ['/bucket/%C3%BCn%C3%AF', 'ünï'],
    ['/bucket/%F0%9F%98%80', '\u{1F600}'],
    ['/bucket/100%25', '100%'],
  ])('should keep every slash and decode the key when the path is %s', (path, key) => {
    expect(parsePath(path)).toEqual({ bucket: 'bucket', key });
  });

  it('should decode the bucket too when it is percent-encoded', () => {
    expect(parsePath('/b%75cket/k')).toEqual({ bucket: 'bucket', key: 'k' });
  });

  it.each(['', 'bucket/key', '*'])(
    'should refuse with InvalidArgument when the path %j does not start with /',
    (path) => {
      const e = s3ErrorOf(() => parsePath(path));
      expect(e.code).toBe('InvalidArgument');
      expect(e.status).toBe(400);
      expect(e.message).toBe('The request path must start with /.');
    },
  );

  it.each([
    '/bucket/%',
    '/bucket/%zz',
    '/bucket/a%2',
    '/bucket/%E0%A4%A',
    '/bucket/%C3',
    '/%FF/key',
    '/b%ucket',
  ])('should refuse with InvalidArgument when %s is not valid percent-encoding', (path) => {
    const e = s3ErrorOf(() => parsePath(path));
    expect(e.code).toBe('InvalidArgument');
    expect(e.message).toBe('The request URI or query is not valid percent-encoding.');
  });
});

describe('parseQuery', () => {
  const entries = (raw: string) => [...parseQuery(raw).entries()];

  it('should be empty when there is no query', () => {
    expect(parseQuery('').size).toBe(0);
  });

  it('should decode names and values when they are percent-encoded', () => {
    expect(entries('a=1&max%2Dkeys=5&prefix=%2Fdir%2F%C3%BC')).toEqual([
      ['a', '1'],
      ['max-keys', '5'],
      ['prefix', '/dir/ü'],
    ]);
  });

  it('should keep + as + when a value holds it', () => {
    expect(parseQuery('prefix=a+b%20c').get('prefix')).toBe('a+b c');
    expect(parseQuery('a+b=1').get('a+b')).toBe('1');
  });

  it('should give an empty value when a name has no = or nothing after it', () => {
    expect(entries('uploads&delete=&location')).toEqual([
      ['uploads', ''],
      ['delete', ''],
      ['location', ''],
    ]);
  });

  it('should keep the first value when a name is given twice', () => {
    expect(entries('a=1&b=x&a=2&a')).toEqual([
      ['a', '1'],
      ['b', 'x'],
    ]);
    expect(parseQuery('uploads&uploads=x').get('uploads')).toBe('');
  });

  it('should skip empty pairs when the query has stray ampersands', () => {
    expect(entries('&&a=1&&b=2&')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('should split at the first = only when a value holds another', () => {
    expect(parseQuery('a=b=c').get('a')).toBe('b=c');
  });

  it('should name the pair with an empty name when it starts with =', () => {
    expect(entries('=v')).toEqual([['', 'v']]);
  });

  it.each(['a=%', 'a=%zz', '%G0=1', 'prefix=%C3', 'a=1&b=%E0%A4%A'])(
    'should refuse with InvalidArgument when %s is not valid percent-encoding',
    (raw) => {
      const e = s3ErrorOf(() => parseQuery(raw));
      expect(e.code).toBe('InvalidArgument');
      expect(e.status).toBe(400);
      expect(e.message).toBe('The request URI or query is not valid percent-encoding.');
    },
  );
});
