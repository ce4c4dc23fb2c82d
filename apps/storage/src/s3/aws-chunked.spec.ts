import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import {
  type AwsChunkedOptions,
  type AwsChunkedSigning,
  awsChunkedDecoder,
  awsChunkedOptionsFor,
  MAX_LINE_BYTES,
} from './aws-chunked.js';
import { deriveSigningKey } from '@symbolon/platform';

import { S3Error, type S3ErrorCode } from './errors.js';
import { RECORDED_REGION, RECORDED_SECRET, recordedRequests } from './recorded-requests.fixtures.js';
import {
  chunkStringToSign,
  credentialScope,
  parseS3Authorization,
  signString,
  trailerStringToSign,
  verifyS3Request,
} from './sigv4.js';

const SIGNING: AwsChunkedSigning = {
  signingKey: deriveSigningKey('testSecretKeyExample', '20261129', 'us-east-1', 's3'),
  seedSignature: 'a'.repeat(64),
  amzDate: '20261129T120000Z',
  scope: credentialScope('20261129', 'us-east-1'),
};

interface EncodeOptions {
  signing?: AwsChunkedSigning;
  trailers?: Record<string, string>;
  /** Replaces the trailer signature (signed mode with trailers). */
  trailerSignature?: string;
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Encodes `chunks` (then the final empty chunk) as aws-chunked, signing them as a client does. */
function encode(chunks: Buffer[], options: EncodeOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let previous = options.signing?.seedSignature ?? '';
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    let header = chunk.length.toString(16);
    if (options.signing !== undefined) {
      const s = options.signing;
      previous = signString(s.signingKey, chunkStringToSign(s.amzDate, s.scope, previous, sha256Hex(chunk)));
      header += `;chunk-signature=${previous}`;
    }
    parts.push(Buffer.from(`${header}\r\n`), chunk);
    if (chunk.length > 0) {
      parts.push(Buffer.from('\r\n'));
    }
  }
  const trailers = options.trailers ?? {};
  for (const [name, value] of Object.entries(trailers)) {
    parts.push(Buffer.from(`${name}:${value}\r\n`));
  }
  if (options.signing !== undefined && Object.keys(trailers).length > 0) {
    const s = options.signing;
    const signature =
      options.trailerSignature ??
      signString(s.signingKey, trailerStringToSign(s.amzDate, s.scope, previous, trailers));
    parts.push(Buffer.from(`x-amz-trailer-signature:${signature}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

async function decode(
  pieces: Buffer[],
  options: AwsChunkedOptions,
): Promise<{ data: Buffer; trailers: Record<string, string>; outputs: number }> {
  const decoder = awsChunkedDecoder(options);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    decoder,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return { data: Buffer.concat(out), trailers: decoder.trailers(), outputs: out.length };
}

async function decodeError(pieces: Buffer[], options: AwsChunkedOptions): Promise<S3Error> {
  try {
    await decode(pieces, options);
  } catch (error) {
    if (error instanceof S3Error) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the decoder to fail');
}

async function expectDecodeError(
  pieces: Buffer[],
  options: AwsChunkedOptions,
  code: S3ErrorCode,
): Promise<S3Error> {
  const error = await decodeError(pieces, options);
  expect(error.code).toBe(code);
  return error;
}

function splitAt(body: Buffer, offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(body.subarray(start, offset));
    start = offset;
  }
  pieces.push(body.subarray(start));
  return pieces;
}

function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
}

const crc32Base64 = (data: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};

describe('awsChunkedDecoder', () => {
  describe('with the AWS chunked-upload example', () => {
    it('should decode the documented body when its chunk signatures are chained from the seed', async () => {
      // Amazon S3 API reference, "Transferring Payload in Multiple Chunks", Example: PUT Object: 65 KiB of 'a' in a
      // 64 KiB chunk, a 1 KiB chunk and the final chunk; the signatures are the documented ones.
      const data = Buffer.alloc(66560, 'a');
      const body = Buffer.concat([
        Buffer.from(
          '10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n',
        ),
        data.subarray(0, 65536),
        Buffer.from(
          '\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n',
        ),
        data.subarray(65536),
        Buffer.from(
          '\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
        ),
      ]);
      expect(body.length).toBe(66824);
      const signing: AwsChunkedSigning = {
        signingKey: deriveSigningKey(
          'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          '20130524',
          'us-east-1',
          's3',
        ),
        seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        amzDate: '20130524T000000Z',
        scope: '20130524/us-east-1/s3/aws4_request',
      };
      const result = await decode(splitAt(body, [1000, 40000, 66000]), {
        signed: signing,
        trailer: [],
        decodedLength: 66560,
      });
      expect(result.data.equals(data)).toBe(true);
      expect(encode([data.subarray(0, 65536), data.subarray(65536)], { signing }).equals(body)).toBe(true);
    });
  });

  describe('with every split of small bodies', () => {
    const unsignedData = bytes(9, 1);
    const unsignedBody = encode(
      [unsignedData.subarray(0, 5), unsignedData.subarray(5, 8), unsignedData.subarray(8)],
      {
        trailers: { 'x-amz-checksum-crc32': crc32Base64(unsignedData) },
      },
    );
    const unsignedOptions: AwsChunkedOptions = { trailer: ['x-amz-checksum-crc32'], decodedLength: 9 };
    const signedData = bytes(200, 2);
    const signedBody = encode([signedData], {
      signing: SIGNING,
      trailers: { 'x-amz-checksum-crc32c': 'AAAAAA==' },
    });
    const signedOptions: AwsChunkedOptions = {
      signed: SIGNING,
      trailer: ['x-amz-checksum-crc32c'],
      decodedLength: 200,
    };

    it('should decode an unsigned trailer body when it is split in two at every byte offset', async () => {
      for (let offset = 0; offset <= unsignedBody.length; offset++) {
        const result = await decode(splitAt(unsignedBody, [offset]), unsignedOptions);
        expect(result.data.equals(unsignedData)).toBe(true);
        expect(result.trailers).toEqual({ 'x-amz-checksum-crc32': crc32Base64(unsignedData) });
      }
    });

    it('should decode a signed trailer body when it is split in three at every pair of offsets', async () => {
      for (let a = 0; a <= signedBody.length; a += 1) {
        for (let b = a; b <= signedBody.length; b += 29) {
          const result = await decode(splitAt(signedBody, [a, b]), signedOptions);
          expect(result.data.equals(signedData)).toBe(true);
        }
      }
    });

    it('should decode a signed body of two chunks when it arrives one byte at a time', async () => {
      const data = bytes(8192 + 300, 3);
      const body = encode([data.subarray(0, 8192), data.subarray(8192)], { signing: SIGNING });
      const pieces = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
      const result = await decode(pieces, { signed: SIGNING, trailer: [], decodedLength: data.length });
      expect(result.data.equals(data)).toBe(true);
    });

    it('should fail with IncompleteBody when the body is cut at any offset', async () => {
      for (const [body, options] of [
        [unsignedBody, unsignedOptions],
        [signedBody, signedOptions],
      ] as const) {
        for (let length = 0; length < body.length; length++) {
          const error = await decodeError([body.subarray(0, length)], options);
          expect([length, error.code]).toEqual([length, 'IncompleteBody']);
        }
      }
    });

    it('should pass data on without gathering a chunk when the chunk arrives in pieces', async () => {
      const data = bytes(100_000, 4);
      const body = encode([data]);
      const pieces = splitAt(
        body,
        Array.from({ length: 99 }, (_, i) => (i + 1) * 1000),
      );
      const result = await decode(pieces, { trailer: [] });
      expect(result.data.equals(data)).toBe(true);
      expect(result.outputs).toBeGreaterThanOrEqual(100);
    });
  });

  describe('signature chain', () => {
    const first = bytes(8192, 5);
    const second = bytes(8192, 6);
    const body = encode([first, second], { signing: SIGNING });
    const options: AwsChunkedOptions = { signed: SIGNING, trailer: [] };

    it('should decode both chunks when the chain is intact', async () => {
      expect((await decode([body], options)).data.equals(Buffer.concat([first, second]))).toBe(true);
    });

    it('should fail with SignatureDoesNotMatch when a data byte is changed', async () => {
      for (const offset of [90, 4000, 8300, body.length - 120]) {
        const tampered = Buffer.from(body);
        tampered[offset] = (tampered[offset] as number) ^ 1;
        expect([offset, (await decodeError([tampered], options)).code]).toEqual([
          offset,
          'SignatureDoesNotMatch',
        ]);
      }
    });

    it('should fail with SignatureDoesNotMatch when a chunk signature is changed', async () => {
      const text = body.toString('latin1');
      const signatures = [...text.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m.index + 16);
      expect(signatures).toHaveLength(3);
      for (const at of signatures) {
        const tampered = Buffer.from(body);
        tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
        await expectDecodeError([tampered], options, 'SignatureDoesNotMatch');
      }
    });

    it('should fail with SignatureDoesNotMatch when the chunks are swapped with their signatures', async () => {
      const second = body.indexOf(`\r\n${(8192).toString(16)};`) + 2;
      const final = body.indexOf('\r\n0;') + 2;
      const swapped = Buffer.concat([
        body.subarray(second, final),
        body.subarray(0, second),
        body.subarray(final),
      ]);
      expect(swapped.length).toBe(body.length);
      await expectDecodeError([swapped], options, 'SignatureDoesNotMatch');
    });

    it('should fail with SignatureDoesNotMatch when the seed signature is another request', async () => {
      await expectDecodeError(
        [body],
        { ...options, signed: { ...SIGNING, seedSignature: 'b'.repeat(64) } },
        'SignatureDoesNotMatch',
      );
    });

    it('should fail with SignatureDoesNotMatch when a chunk header has no chunk-signature', async () => {
      await expectDecodeError([Buffer.from('5\r\nhello\r\n0\r\n\r\n')], options, 'SignatureDoesNotMatch');
    });

    it('should fail with SignatureDoesNotMatch when the final chunk is dropped from the chain', async () => {
      const withoutFinal = Buffer.concat([
        body.subarray(0, body.indexOf('\r\n0;') + 2),
        Buffer.from('0;chunk-signature=' + 'c'.repeat(64) + '\r\n\r\n'),
      ]);
      await expectDecodeError([withoutFinal], options, 'SignatureDoesNotMatch');
    });

    it('should fail with InvalidChunkSizeError when a non-final chunk is smaller than 8 KiB', async () => {
      const small = encode([bytes(8191, 1), bytes(10, 2)], { signing: SIGNING });
      const error = await expectDecodeError([small], options, 'InvalidChunkSizeError');
      expect(error.message).toBe('Only the last chunk is allowed to have a size less than 8192 bytes');
      expect(error.status).toBe(403);
    });

    it('should accept chunks under 8 KiB when the body is unsigned', async () => {
      const data = bytes(30, 1);
      const small = encode([data.subarray(0, 10), data.subarray(10)], {
        trailers: { 'x-amz-checksum-crc32': 'x' },
      });
      const result = await decode([small], { trailer: ['x-amz-checksum-crc32'] });
      expect(result.data.equals(data)).toBe(true);
    });
  });

  describe('framing', () => {
    const unsigned: AwsChunkedOptions = { trailer: [] };

    it.each([
      ['a non-hex size', 'zz\r\nhello\r\n0\r\n\r\n'],
      ['an empty size', '\r\nhello\r\n0\r\n\r\n'],
      ['a 17-digit size', '10000000000000000\r\n'],
      ['a size past 2^53', 'ffffffffffffffff\r\n'],
      [
        'a chunk extension in an unsigned body',
        '5;chunk-signature=' + 'a'.repeat(64) + '\r\nhello\r\n0\r\n\r\n',
      ],
      ['a header ending in LF only', '5\nhello\r\n0\r\n\r\n'],
      ['data longer than the size', '4\r\nhello\r\n0\r\n\r\n'],
      ['data shorter than the size', '6\r\nhello\r\n0\r\n\r\n'],
    ])('should fail with InvalidChunkSizeError when the body has %s', async (_, body) => {
      await expectDecodeError([Buffer.from(body, 'latin1')], unsigned, 'InvalidChunkSizeError');
    });

    it('should fail with InvalidChunkSizeError before the line ends when a header line is oversized', async () => {
      const pieces = Array.from({ length: 10 }, () => Buffer.from('0'.repeat(40)));
      const error = await expectDecodeError(pieces, unsigned, 'InvalidChunkSizeError');
      expect(error.message).toMatch(/too long/);
      // A header of exactly the cap is a size problem, not a length problem.
      const atCap = Buffer.from(`${'0'.repeat(MAX_LINE_BYTES)}\r\n`);
      expect((await decodeError([atCap], unsigned)).message).not.toMatch(/too long/);
    });

    it('should fail with InvalidRequest when data follows the end of the body', async () => {
      const body = encode([Buffer.from('hello')]);
      await expectDecodeError([body, Buffer.from('x')], unsigned, 'InvalidRequest');
      await expectDecodeError([Buffer.concat([body, Buffer.from('\r\n')])], unsigned, 'InvalidRequest');
    });

    it('should fail with IncompleteBody when the decoded body is shorter than x-amz-decoded-content-length', async () => {
      await expectDecodeError(
        [encode([Buffer.from('hello')])],
        { trailer: [], decodedLength: 6 },
        'IncompleteBody',
      );
    });

    it('should fail with InvalidRequest when the decoded body is longer than x-amz-decoded-content-length', async () => {
      await expectDecodeError(
        [encode([Buffer.from('hello')])],
        { trailer: [], decodedLength: 4 },
        'InvalidRequest',
      );
    });

    it('should decode an empty body when only the final chunk is sent', async () => {
      const result = await decode([encode([], { signing: SIGNING })], {
        signed: SIGNING,
        trailer: [],
        decodedLength: 0,
      });
      expect(result.data.length).toBe(0);
    });
  });

  describe('trailers', () => {
    const data = Buffer.from('hello');
    const name = 'x-amz-checksum-crc32';
    const unsigned: AwsChunkedOptions = { trailer: [name] };
    const signed: AwsChunkedOptions = { signed: SIGNING, trailer: [name] };

    it('should return the trailer values by lower-case name when the trailer is well formed', async () => {
      const body = encode([data], { trailers: { 'X-Amz-Checksum-CRC32': ' NhCmhg== ' } });
      expect((await decode([body], unsigned)).trailers).toEqual({ [name]: 'NhCmhg==' });
    });

    it.each([
      ['an unannounced name', { 'x-amz-checksum-sha1': 'x' }],
      ['no announced trailer', {}],
      ['a repeated trailer', null],
      ['a line without a colon', undefined],
    ])('should fail with MalformedTrailerError when the trailer has %s', async (_, trailers) => {
      let body: Buffer;
      if (trailers === null) {
        body = Buffer.from(`5\r\nhello\r\n0\r\n${name}:a\r\n${name}:b\r\n\r\n`);
      } else if (trailers === undefined) {
        body = Buffer.from(`5\r\nhello\r\n0\r\n${name}\r\n\r\n`);
      } else {
        body = encode([data], { trailers });
      }
      await expectDecodeError([body], unsigned, 'MalformedTrailerError');
    });

    it('should fail with MalformedTrailerError when a trailer line is oversized', async () => {
      const body = Buffer.from(`5\r\nhello\r\n0\r\n${name}:${'A'.repeat(MAX_LINE_BYTES)}\r\n\r\n`);
      await expectDecodeError([body], unsigned, 'MalformedTrailerError');
    });

    it('should verify the trailer signature when the body is signed with a trailer', async () => {
      const body = encode([data], { signing: SIGNING, trailers: { [name]: 'NhCmhg==' } });
      expect((await decode([body], signed)).trailers).toEqual({ [name]: 'NhCmhg==' });
    });

    it('should fail with SignatureDoesNotMatch when a signed trailer value is changed', async () => {
      const body = encode([data], { signing: SIGNING, trailers: { [name]: 'NhCmhg==' } });
      const tampered = Buffer.from(body.toString('latin1').replace('NhCmhg==', 'AAAAAA=='), 'latin1');
      await expectDecodeError([tampered], signed, 'SignatureDoesNotMatch');
    });

    it('should fail with SignatureDoesNotMatch when the trailer signature is missing or wrong', async () => {
      const good = encode([data], { signing: SIGNING, trailers: { [name]: 'NhCmhg==' } });
      const missing = Buffer.from(
        good.toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''),
        'latin1',
      );
      await expectDecodeError([missing], signed, 'SignatureDoesNotMatch');
      const wrong = encode([data], {
        signing: SIGNING,
        trailers: { [name]: 'NhCmhg==' },
        trailerSignature: 'd'.repeat(64),
      });
      await expectDecodeError([wrong], signed, 'SignatureDoesNotMatch');
      const malformed = encode([data], {
        signing: SIGNING,
        trailers: { [name]: 'NhCmhg==' },
        trailerSignature: 'xyz',
      });
      await expectDecodeError([malformed], signed, 'SignatureDoesNotMatch');
    });

    it('should fail with MalformedTrailerError when a trailer follows the trailer signature', async () => {
      const good = encode([data], { signing: SIGNING, trailers: { [name]: 'NhCmhg==' } });
      const text = good.toString('latin1');
      const moved = text
        .replace(`${name}:NhCmhg==\r\n`, '')
        .replace(/\r\n\r\n$/, `\r\n${name}:NhCmhg==\r\n\r\n`);
      await expectDecodeError([Buffer.from(moved, 'latin1')], signed, 'MalformedTrailerError');
    });

    it('should refuse a trailer signature when the body is unsigned', async () => {
      const body = Buffer.from(
        `5\r\nhello\r\n0\r\n${name}:NhCmhg==\r\nx-amz-trailer-signature:${'a'.repeat(64)}\r\n\r\n`,
      );
      await expectDecodeError([body], unsigned, 'MalformedTrailerError');
    });
  });

  describe('with bodies from @aws-sdk/client-s3', () => {
    it('should decode the recorded client-s3 stream upload when its trailer is announced', async () => {
      const r = recordedRequests.sdkPutObjectStream;
      const auth = parseS3Authorization(r!.headers, { region: RECORDED_REGION });
      const verified = verifyS3Request(
        r!,
        auth,
        deriveSigningKey(RECORDED_SECRET, auth.date, auth.region, 's3'),
        r!.signedAt,
      );
      expect(verified.payload.kind).toBe('streaming-unsigned-trailer');
      const body = Buffer.from(r!.body as string, 'base64');
      const result = await decode([body], { trailer: ['x-amz-checksum-crc32'], decodedLength: 3000 });
      expect(result.data.equals(Buffer.alloc(3000, 7))).toBe(true);
      expect(result.trailers).toEqual({ 'x-amz-checksum-crc32': crc32Base64(Buffer.alloc(3000, 7)) });
    });

    it('should verify and decode a live client-s3 stream upload when it is received by a local server', async () => {
      const secret = 'liveTestSecret/abcdefghijklmnopqrstuvwxyz';
      const data = randomBytes(150_000);
      const received: { data: Buffer; trailers: Record<string, string>; kind: string }[] = [];
      const server = createServer((req: IncomingMessage, res) => {
        const [rawPath, rawQuery = ''] = (req.url as string).split('?') as [string, string?];
        const request = { method: req.method as string, rawPath, rawQuery, headers: req.headersDistinct };
        const auth = parseS3Authorization(request.headers, { region: 'us-east-1', rawQuery });
        const key = deriveSigningKey(secret, auth.date, auth.region, 's3');
        const verified = verifyS3Request(request, auth, key, Date.now());
        if (verified.payload.kind !== 'streaming-unsigned-trailer') {
          throw new Error(`unexpected payload ${verified.payload.kind}`);
        }
        const decoder = awsChunkedDecoder({
          trailer: verified.payload.trailers,
          decodedLength: verified.payload.decodedLength,
        });
        const out: Buffer[] = [];
        decoder.on('data', (c: Buffer) => out.push(c));
        pipeline(req, decoder)
          .then(() => {
            received.push({
              data: Buffer.concat(out),
              trailers: decoder.trailers(),
              kind: verified.payload.kind,
            });
            res.setHeader('ETag', '"x"');
            res.end();
          })
          .catch(() => {
            res.statusCode = 400;
            res.end();
          });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const client = new S3Client({
          region: 'us-east-1',
          endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          forcePathStyle: true,
          credentials: { accessKeyId: 'AKIDLIVE', secretAccessKey: secret },
        });
        await client.send(
          new PutObjectCommand({
            Bucket: 'bkt',
            Key: 'dir/live stream.bin',
            Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]),
            ContentLength: data.length,
          }),
        );
        client.destroy();
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(received).toHaveLength(1);
      expect(received[0]!.data.equals(data)).toBe(true);
      expect(received[0]!.trailers).toEqual({ 'x-amz-checksum-crc32': crc32Base64(data) });
    });
  });

  describe('awsChunkedOptionsFor', () => {
    const base = { seedSignature: SIGNING.seedSignature, amzDate: SIGNING.amzDate, scope: SIGNING.scope };

    it('should give signed options with the chain seed when the payload is a signed stream', () => {
      const options = awsChunkedOptionsFor(
        {
          ...base,
          payload: {
            kind: 'streaming-signed',
            trailer: true,
            trailers: ['x-amz-checksum-crc32'],
            decodedLength: 5,
          },
        },
        SIGNING.signingKey,
      );
      expect(options).toEqual({ signed: SIGNING, trailer: ['x-amz-checksum-crc32'], decodedLength: 5 });
    });

    it('should give unsigned options when the payload is an unsigned trailer stream', () => {
      const options = awsChunkedOptionsFor(
        {
          ...base,
          payload: {
            kind: 'streaming-unsigned-trailer',
            trailers: ['x-amz-checksum-crc32'],
            decodedLength: 5,
          },
        },
        SIGNING.signingKey,
      );
      expect(options).toEqual({ trailer: ['x-amz-checksum-crc32'], decodedLength: 5 });
    });

    it('should give undefined when the body is not aws-chunked', () => {
      expect(
        awsChunkedOptionsFor({ ...base, payload: { kind: 'unsigned' } }, SIGNING.signingKey),
      ).toBeUndefined();
      expect(
        awsChunkedOptionsFor({ ...base, payload: { kind: 'sha256', hash: 'ab' } }, SIGNING.signingKey),
      ).toBeUndefined();
    });
  });

  it('decodedLength must be a non-negative safe integer', () => {
    expect(() => awsChunkedDecoder({ trailer: [], decodedLength: -1 })).toThrow(
      'decodedLength must be a non-negative safe integer',
    );
  });

  it('trailer names must be lower-case and distinct', () => {
    expect(() => awsChunkedDecoder({ trailer: ['X-Amz-Checksum-Crc32'] })).toThrow(
      'trailer names must be lower-case and distinct',
    );
  });

  it('a signed body needs a 32-byte signing key and a 64-hex seed signature', () => {
    expect(() => awsChunkedDecoder({ trailer: [], signed: { ...SIGNING, seedSignature: 'abc' } })).toThrow(
      'a signed body needs a 32-byte signing key and a 64-hex seed signature',
    );
  });
});
