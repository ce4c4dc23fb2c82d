import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { awsChunkedDecoder } from './aws-chunked.js';
import {
  type ChecksumAlgorithm,
  checksumHeaderName,
  checksumTap,
  checkContentMd5Header,
  crc32c,
  type Digests,
  expectedChecksums,
  parseChecksumAlgorithm,
  requestedChecksumAlgorithm,
  verifyDigests,
} from './checksums.js';
import { S3Error, type S3ErrorCode } from './errors.js';
import { recordedRequests } from './recorded-requests.fixtures.js';

function s3Failure(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an S3Error');
}

function expectS3Error(fn: () => unknown, code: S3ErrorCode, message?: string | RegExp): S3Error {
  const error = s3Failure(fn);
  expect(error.code).toBe(code);
  if (message !== undefined) {
    expect(error.message).toMatch(message);
  }
  return error;
}

async function tapAll(pieces: Buffer[], options: Parameters<typeof checksumTap>[0]) {
  const tap = checksumTap(options);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    tap,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return { tap, data: Buffer.concat(out) };
}

const HELLO = Buffer.from('hello world\n');

describe('crc32c', () => {
  it.each([
    ['"123456789"', Buffer.from('123456789'), 0xe3069283],
    ['32 zero bytes (RFC 3720 B.4)', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes (RFC 3720 B.4)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    [
      '32 incrementing bytes (RFC 3720 B.4)',
      Buffer.from(Array.from({ length: 32 }, (_, i) => i)),
      0x46dd794e,
    ],
    [
      '32 decrementing bytes (RFC 3720 B.4)',
      Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)),
      0x113fdb5c,
    ],
    ['the empty string', Buffer.alloc(0), 0],
  ])('should give the known value for %s', (_, data, expected) => {
    expect(crc32c(data)).toBe(expected);
  });

  it('should give the same value when the input is fed in pieces of every size', () => {
    const data = randomBytes(1000);
    const whole = crc32c(data);
    for (let size = 1; size <= 17; size++) {
      let crc = 0;
      for (let i = 0; i < data.length; i += size) {
        crc = crc32c(data.subarray(i, i + size), crc);
      }
      expect([size, crc]).toEqual([size, whole]);
    }
  });

  it('should match the bitwise definition when given random inputs of odd lengths', () => {
    const bitwise = (data: Buffer) => {
      let crc = ~0;
      for (const byte of data) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) {
          crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
        }
      }
      return ~crc >>> 0;
    };
    for (const length of [1, 7, 8, 9, 63, 64, 65, 1023]) {
      const data = randomBytes(length);
      expect(crc32c(data)).toBe(bitwise(data));
    }
  });
});

describe('ChecksumTap', () => {
  it('should pass the bytes through unchanged and compute every digest asked for when the stream ends', async () => {
    const data = randomBytes(100_000);
    const pieces = [data.subarray(0, 1), data.subarray(1, 40_000), data.subarray(40_000)];
    const { tap, data: out } = await tapAll(pieces, {
      sha256: true,
      checksums: ['CRC32', 'CRC32C', 'SHA1', 'SHA256'],
    });
    expect(out.equals(data)).toBe(true);
    const digests = tap.digests();
    expect(digests.length).toBe(data.length);
    expect(digests.md5.equals(createHash('md5').update(data).digest())).toBe(true);
    expect(digests.sha256?.equals(createHash('sha256').update(data).digest())).toBe(true);
    expect(digests.checksums.SHA256?.equals(createHash('sha256').update(data).digest())).toBe(true);
    expect(digests.checksums.SHA1?.equals(createHash('sha1').update(data).digest())).toBe(true);
    expect(digests.checksums.CRC32C?.readUInt32BE()).toBe(crc32c(data));
    expect(tap.etag()).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
  });

  it('should give the base64 values the aws cli sent when tapping the same bodies', async () => {
    // aws cli: x-amz-checksum-crc32 rwg7LQ== for "hello world\n"; client-s3: 4ZbgOA== for 3000 bytes of 7.
    expect((await tapAll([HELLO], { checksums: ['CRC32'] })).tap.checksumBase64('CRC32')).toBe(
      recordedRequests.awsCliPutObject!.headers['x-amz-checksum-crc32'],
    );
    expect(
      (await tapAll([Buffer.alloc(3000, 7)], { checksums: ['CRC32'] })).tap.checksumBase64('CRC32'),
    ).toBe(recordedRequests.sdkPutObjectBuffer!.headers['x-amz-checksum-crc32']);
  });

  it('should compute only MD5 when nothing else is asked for', async () => {
    const digests = (await tapAll([HELLO], {})).tap.digests();
    expect(digests.sha256).toBeUndefined();
    expect(digests.checksums).toEqual({});
    expect(digests.md5.toString('hex')).toBe('6f5902ac237024bdd0c176cb93063dc4');
  });

  it('should give the same digests when fed with update and finish instead of the stream', () => {
    const tap = checksumTap({ checksums: ['CRC32'] });
    tap.update(HELLO.subarray(0, 5));
    tap.update(HELLO.subarray(5));
    expect(tap.finish().checksums.CRC32?.toString('base64')).toBe('rwg7LQ==');
  });

  it('should decode an aws-chunked body and check its trailer checksum in one pass when piped after the decoder', async () => {
    const r = recordedRequests.sdkPutObjectStream!;
    const decoder = awsChunkedDecoder({ trailer: ['x-amz-checksum-crc32'], decodedLength: 3000 });
    const tap = checksumTap({ checksums: ['CRC32'] });
    await pipeline(
      Readable.from([Buffer.from(r.body as string, 'base64')]),
      decoder,
      tap,
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
    const expected = expectedChecksums(decoder.trailers());
    expect(expected?.algorithm).toBe('CRC32');
    expect(() => verifyDigests(tap.digests(), { checksum: expected })).not.toThrow();
  });

  it('no bytes may be added once the digests are final', () => {
    const tap = checksumTap();
    tap.finish();
    expect(() => tap.update(HELLO)).toThrow('no bytes may be added once the digests are final');
  });

  it('digests are available once the stream has ended', () => {
    expect(() => checksumTap().digests()).toThrow('digests are available once the stream has ended');
  });

  it('the checksum must have been asked for when the tap was made', () => {
    const tap = checksumTap();
    tap.finish();
    expect(() => tap.checksumBase64('CRC32')).toThrow(
      'the checksum must have been asked for when the tap was made',
    );
  });
});

describe('checkContentMd5Header', () => {
  it('should return the 16 bytes when Content-MD5 is the base64 of an MD5', () => {
    const md5 = createHash('md5').update(HELLO).digest();
    expect(checkContentMd5Header(md5.toString('base64'))?.equals(md5)).toBe(true);
    expect(checkContentMd5Header(undefined)).toBeUndefined();
  });

  it.each([
    ['not base64', 'not base64!!'],
    ['hex instead of base64', '6f5902ac237024bdd0c176cb93063dc4'],
    ['15 bytes', Buffer.alloc(15).toString('base64')],
    ['17 bytes', Buffer.alloc(17).toString('base64')],
    ['missing padding', Buffer.alloc(16).toString('base64').replace(/=+$/, '')],
    ['empty', ''],
    ['repeated', ['a', 'b']],
  ])('should refuse Content-MD5 with InvalidDigest when it is %s', (_, value) => {
    expectS3Error(
      () => checkContentMd5Header(value),
      'InvalidDigest',
      'The Content-MD5 you specified was invalid.',
    );
  });
});

describe('expectedChecksums', () => {
  it('should read the checksum header when the aws cli sent one', () => {
    const expected = expectedChecksums(recordedRequests.awsCliPutObject!.headers);
    expect(expected).toEqual({
      algorithm: 'CRC32',
      value: 'rwg7LQ==',
      digest: Buffer.from('rwg7LQ==', 'base64'),
    });
  });

  it.each<[ChecksumAlgorithm, number]>([
    ['CRC32', 4],
    ['CRC32C', 4],
    ['SHA1', 20],
    ['SHA256', 32],
  ])('should accept %s when its value has %i bytes', (algorithm, length) => {
    const value = randomBytes(length).toString('base64');
    expect(expectedChecksums({ [checksumHeaderName(algorithm).toUpperCase()]: value })?.algorithm).toBe(
      algorithm,
    );
    expectS3Error(
      () =>
        expectedChecksums({ [checksumHeaderName(algorithm)]: randomBytes(length + 1).toString('base64') }),
      'InvalidRequest',
      `Value for ${checksumHeaderName(algorithm)} header is invalid.`,
    );
  });

  it('should ignore x-amz-checksum-algorithm, -type and -mode when looking for checksum values', () => {
    expect(
      expectedChecksums({
        'x-amz-checksum-algorithm': 'CRC32',
        'x-amz-checksum-type': 'FULL_OBJECT',
        'x-amz-checksum-mode': 'ENABLED',
      }),
    ).toBeUndefined();
  });

  it('should refuse two checksum headers with InvalidRequest', () => {
    expectS3Error(
      () => expectedChecksums({ 'x-amz-checksum-crc32': 'rwg7LQ==', 'x-amz-checksum-crc32c': 'AAAAAA==' }),
      'InvalidRequest',
      /Multiple checksum Types are not allowed/,
    );
    expectS3Error(
      () => expectedChecksums({ 'x-amz-checksum-crc32': ['rwg7LQ==', 'rwg7LQ=='] }),
      'InvalidRequest',
    );
  });

  it('should refuse CRC64NVME with NotImplemented and an unknown checksum with InvalidRequest', () => {
    const error = expectS3Error(
      () => expectedChecksums({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }),
      'NotImplemented',
    );
    expect(error.status).toBe(501);
    expectS3Error(() => expectedChecksums({ 'x-amz-checksum-md5': 'AAAAAA==' }), 'InvalidRequest');
  });
});

describe('parseChecksumAlgorithm and requestedChecksumAlgorithm', () => {
  it('should parse algorithm names in any case', () => {
    expect(parseChecksumAlgorithm('crc32c')).toBe('CRC32C');
    expectS3Error(() => parseChecksumAlgorithm('CRC64NVME'), 'NotImplemented');
    expectS3Error(
      () => parseChecksumAlgorithm('MD5'),
      'InvalidRequest',
      /\[CRC32, CRC32C, CRC64NVME, SHA1, SHA256\]/,
    );
  });

  it('should take the algorithm from the header or the trailer when the recorded clients sent them', () => {
    expect(requestedChecksumAlgorithm(recordedRequests.awsCliPutObject!.headers)).toBe('CRC32');
    expect(
      requestedChecksumAlgorithm(recordedRequests.sdkPutObjectStream!.headers, ['x-amz-checksum-crc32']),
    ).toBe('CRC32');
    expect(requestedChecksumAlgorithm(recordedRequests.sdkPutObjectUnsignedPayload!.headers)).toBeUndefined();
  });

  it('should refuse x-amz-sdk-checksum-algorithm when it has no checksum or names another one', () => {
    expectS3Error(
      () => requestedChecksumAlgorithm({ 'x-amz-sdk-checksum-algorithm': 'CRC32' }),
      'InvalidRequest',
      /no corresponding x-amz-checksum-\* or x-amz-trailer/,
    );
    expectS3Error(
      () =>
        requestedChecksumAlgorithm({
          'x-amz-sdk-checksum-algorithm': 'SHA1',
          'x-amz-checksum-crc32': 'rwg7LQ==',
        }),
      'InvalidRequest',
    );
  });

  it('should refuse a checksum in both a header and the trailer', () => {
    expectS3Error(
      () => requestedChecksumAlgorithm({ 'x-amz-checksum-crc32': 'rwg7LQ==' }, ['x-amz-checksum-crc32']),
      'InvalidRequest',
    );
  });
});

describe('verifyDigests', () => {
  const digestsOf = (data: Buffer): Digests => {
    const tap = checksumTap({ sha256: true, checksums: ['CRC32', 'CRC32C', 'SHA1'] });
    tap.update(data);
    return tap.finish();
  };
  const digests = digestsOf(HELLO);
  const other = digestsOf(Buffer.from('hello world?'));

  it('should pass when every claim matches the body', () => {
    expect(() =>
      verifyDigests(digests, {
        sha256Hex: digests.sha256?.toString('hex').toUpperCase(),
        contentMd5: digests.md5,
        checksum: { algorithm: 'CRC32', value: 'rwg7LQ==', digest: digests.checksums.CRC32 as Buffer },
      }),
    ).not.toThrow();
  });

  it('should refuse a wrong x-amz-content-sha256 with XAmzContentSHA256Mismatch', () => {
    const error = expectS3Error(
      () => verifyDigests(digests, { sha256Hex: other.sha256?.toString('hex') }),
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    expect(error.fields).toEqual({
      ClientComputedContentSHA256: other.sha256?.toString('hex'),
      S3ComputedContentSHA256: digests.sha256?.toString('hex'),
    });
  });

  it('should refuse a wrong Content-MD5 with BadDigest', () => {
    expectS3Error(
      () => verifyDigests(digests, { contentMd5: other.md5 }),
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
    );
  });

  it.each<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'SHA1'])(
    'should refuse a wrong %s with BadDigest naming it',
    (algorithm) => {
      const digest = other.checksums[algorithm] as Buffer;
      expectS3Error(
        () => verifyDigests(digests, { checksum: { algorithm, value: digest.toString('base64'), digest } }),
        'BadDigest',
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );
    },
  );

  it('the tap must compute SHA-256 when x-amz-content-sha256 is checked', () => {
    const tap = checksumTap();
    expect(() => verifyDigests(tap.finish(), { sha256Hex: 'ab' })).toThrow(
      'the tap must compute SHA-256 when x-amz-content-sha256 is checked',
    );
  });

  it('the tap must compute the checksum that is checked', () => {
    const tap = checksumTap();
    expect(() =>
      verifyDigests(tap.finish(), { checksum: { algorithm: 'SHA256', value: '', digest: Buffer.alloc(32) } }),
    ).toThrow('the tap must compute the checksum that is checked');
  });
});
