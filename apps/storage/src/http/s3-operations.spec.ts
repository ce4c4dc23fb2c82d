import { S3Error } from '../s3/errors.js';
import { parseCopySource } from './s3-operations.js';

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
