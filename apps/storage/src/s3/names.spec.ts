import { S3Error } from './errors.js';
import { checkBucketName, checkObjectKey, checkUserMetadata } from './names.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('checkBucketName', () => {
  it.each([
    'docexamplebucket1',
    'log-delivery-march-2020',
    'my-hosted-content',
    'docexamplewebsite.com',
    'www.docexamplewebsite.com',
    'my.example.s3.bucket',
    'abc',
    'a'.repeat(63),
    '1bucket9',
    '192.168.5.4a',
    '1.2.3.4.5',
    'xn-abc',
    'sthree',
    'bucket-s3alias-not',
  ])('should accept %s when it follows the naming rules', (name) => {
    expect(() => checkBucketName(name)).not.toThrow();
  });

  it.each([
    ['doc_example_bucket', 'it has an underscore'],
    ['DocExampleBucket', 'it has upper-case letters'],
    ['doc-example-bucket-', 'it ends with a hyphen'],
    ['-docexamplebucket', 'it starts with a hyphen'],
    ['.docexamplebucket', 'it starts with a dot'],
    ['docexamplebucket.', 'it ends with a dot'],
    ['my..bucket', 'it has two adjacent dots'],
    ['ab', 'it is shorter than 3 characters'],
    ['a'.repeat(64), 'it is longer than 63 characters'],
    ['', 'it is empty'],
    ['192.168.5.4', 'it is formatted as an IPv4 address'],
    ['bücket', 'it has a non-ASCII letter'],
    ['my bucket', 'it has a space'],
    ['my/bucket', 'it has a slash'],
    ['xn--bucket', "it starts with 'xn--'"],
    ['sthree-bucket', "it starts with 'sthree-'"],
    ['sthree-configurator', "it starts with 'sthree-' (sthree-configurator)"],
    ['amzn-s3-demo-bucket', "it starts with 'amzn-s3-demo-'"],
    ['bucket-s3alias', "it ends with '-s3alias'"],
    ['bucket--ol-s3', "it ends with '--ol-s3'"],
    ['bucket.mrap', "it ends with '.mrap'"],
    ['bucket--x-s3', "it ends with '--x-s3'"],
    ['bucket--table-s3', "it ends with '--table-s3'"],
  ])('should refuse %s with InvalidBucketName when %s', (name) => {
    const err = s3ErrorOf(() => checkBucketName(name));
    expect(err.code).toBe('InvalidBucketName');
    expect(err.status).toBe(400);
    expect(err.message).toBe('The specified bucket is not valid.');
    expect(err.fields).toEqual({ BucketName: name });
  });
});

describe('checkObjectKey', () => {
  it.each([
    ['a plain key', 'photos/2006/January/sample.jpg'],
    ['exactly 1,024 ASCII bytes', 'k'.repeat(1024)],
    ['exactly 1,024 UTF-8 bytes of 2-byte characters', 'é'.repeat(512)],
    ['exactly 1,024 UTF-8 bytes of 4-byte characters', '😀'.repeat(256)],
    ['control characters and spaces', ' \u0001\t\r\n '],
    ['a surrogate pair', 'a😀b'],
  ])('should accept a key when it is %s', (_name, key) => {
    expect(() => checkObjectKey(key)).not.toThrow();
  });

  it.each([
    ['1,025 ASCII bytes', 'k'.repeat(1025)],
    ['513 two-byte characters (1,026 bytes, 513 UTF-16 units)', 'é'.repeat(513)],
    ['1,023 ASCII bytes and a 2-byte character', `${'k'.repeat(1023)}é`],
  ])('should refuse with KeyTooLongError when the key is %s', (_name, key) => {
    const err = s3ErrorOf(() => checkObjectKey(key));
    expect(err.code).toBe('KeyTooLongError');
    expect(err.status).toBe(400);
    expect(err.message).toBe('Your key is too long.');
    expect(err.fields).toEqual({ Size: String(Buffer.byteLength(key)), MaxSizeAllowed: '1024' });
  });

  it('should refuse with InvalidArgument when the key is empty', () => {
    const err = s3ErrorOf(() => checkObjectKey(''));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('The object key must not be empty.');
  });

  it.each([
    ['a lone high surrogate at the end', 'abc\uD83D'],
    ['a lone high surrogate before a letter', '\uD83Dabc'],
    ['a lone low surrogate', 'a\uDE00b'],
    ['reversed surrogates', '\uDE00\uD83D'],
  ])('should refuse with InvalidArgument when the key has %s', (_name, key) => {
    const err = s3ErrorOf(() => checkObjectKey(key));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('The object key is not valid UTF-8.');
  });
});

describe('checkUserMetadata', () => {
  it('should extract x-amz-meta-* headers with lower-cased names and values as given when the request has them', () => {
    expect(
      checkUserMetadata({
        'x-amz-meta-color': 'Blue ',
        'X-Amz-Meta-Owner-Name': 'Ann',
        'content-type': 'text/plain',
        'x-amz-metadata-directive': 'REPLACE',
        'x-amz-meta-absent': undefined,
      }),
    ).toEqual({ 'x-amz-meta-color': 'Blue ', 'x-amz-meta-owner-name': 'Ann' });
  });

  it('should return an empty record when the request has no user metadata', () => {
    expect(checkUserMetadata({ host: 'example.com' })).toEqual({});
  });

  it('should join repeated values with commas when a header is repeated or spelled twice', () => {
    expect(checkUserMetadata({ 'x-amz-meta-tag': ['a', 'b'], 'X-AMZ-META-TAG': 'c' })).toEqual({
      'x-amz-meta-tag': 'a,b,c',
    });
  });

  it('should accept exactly 2 KB when names (without the prefix) and values add up to 2,048 bytes', () => {
    // name 'k' (1 byte) + value 2,047 bytes = 2,048
    expect(() => checkUserMetadata({ 'x-amz-meta-k': 'v'.repeat(2047) })).not.toThrow();
    // two entries: 'a' + 1,023 and 'b' + 1,023
    expect(() =>
      checkUserMetadata({ 'x-amz-meta-a': 'v'.repeat(1023), 'x-amz-meta-b': 'v'.repeat(1023) }),
    ).not.toThrow();
  });

  it('should refuse with MetadataTooLarge when names and values add up to more than 2,048 bytes', () => {
    const err = s3ErrorOf(() =>
      checkUserMetadata({ 'x-amz-meta-a': 'v'.repeat(1023), 'x-amz-meta-bc': 'v'.repeat(1023) }),
    );
    expect(err.code).toBe('MetadataTooLarge');
    expect(err.status).toBe(400);
    expect(err.message).toBe('Your metadata headers exceed the maximum allowed metadata size.');
    expect(err.fields).toEqual({ Size: '2049', MaxSizeAllowed: '2048' });
  });

  it('should count a joined header once plus its commas when a header is repeated', () => {
    // 'k' + 'v'*1023 + ',' + 'v'*1023 = 1 + 2047 = 2048: accepted
    expect(() => checkUserMetadata({ 'x-amz-meta-k': ['v'.repeat(1023), 'v'.repeat(1023)] })).not.toThrow();
    expect(
      s3ErrorOf(() =>
        checkUserMetadata({ 'x-amz-meta-k': 'v'.repeat(1023), 'X-Amz-Meta-K': 'v'.repeat(1024) }),
      ).fields,
    ).toEqual({
      Size: '2049',
      MaxSizeAllowed: '2048',
    });
  });

  it('should count one byte per character when values are latin1 text as node:http gives them', () => {
    // 'é' sent as UTF-8 arrives from node:http as the two latin1 characters 'Ã©': 2 bytes, not 4.
    const value = 'Ã©'.repeat(1023);
    expect(() => checkUserMetadata({ 'x-amz-meta-k': value })).not.toThrow();
  });

  it('should count UTF-8 bytes when a value holds characters above U+00FF', () => {
    // '€' is 3 bytes of UTF-8: 'k' + 682 * 3 = 2047 accepted, 683 * 3 + 1 = 2050 refused.
    expect(() => checkUserMetadata({ 'x-amz-meta-k': '€'.repeat(682) })).not.toThrow();
    expect(s3ErrorOf(() => checkUserMetadata({ 'x-amz-meta-k': '€'.repeat(683) })).code).toBe(
      'MetadataTooLarge',
    );
  });
});
