import { createHash } from 'node:crypto';

import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import { deriveSigningKey } from '@symbolon/platform';

import { S3Error, type S3ErrorCode } from './errors.js';
import {
  RECORDED_ACCESS_KEY_ID,
  RECORDED_REGION,
  RECORDED_SECRET,
  type RecordedRequest,
  recordedRequests,
} from './recorded-requests.fixtures.js';
import {
  canonicalQuery,
  canonicalUri,
  chunkStringToSign,
  credentialScope,
  decodedContentLength,
  parseAmzTrailer,
  parseS3Authorization,
  type S3Headers,
  type S3RequestToVerify,
  signString,
  SIGNATURE_MISMATCH_MESSAGE,
  TIME_TOO_SKEWED_MESSAGE,
  trailerStringToSign,
  verifyS3Request,
} from './sigv4.js';

const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'AKIDTESTEXAMPLE';
const SECRET = 'testSecretKeyExample/K7MDENG+bPxRfiCYEXAMPLE';
const SIGNED_AT = Date.UTC(2026, 10, 29, 12, 0, 0);
const MINUTE = 60_000;
const HOST = '127.0.0.1:9000';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** What client-s3 puts on the wire for a key: every segment encodeURIComponent'd, plus !'()*. */
function wireKey(key: string): string {
  return key
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

function wireQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => (v === '' ? wireKey(k) : `${wireKey(k)}=${wireKey(v)}`))
    .join('&');
}

interface SignOptions {
  method?: string;
  /** The wire path. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  payloadHash?: string;
  signedAt?: number;
  secret?: string;
  region?: string;
}

/** Signs like @aws-sdk/client-s3 (path as given, checksum header already set) with the real smithy signer. */
async function signWithSmithy(options: SignOptions): Promise<S3RequestToVerify> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: options.secret ?? SECRET },
    region: options.region ?? REGION,
    service: 's3',
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: false,
  });
  const query = options.query ?? {};
  const request = new HttpRequest({
    method: options.method ?? 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: options.path,
    query,
    headers: {
      host: HOST,
      'x-amz-content-sha256': options.payloadHash ?? EMPTY_SHA256,
      ...options.headers,
    },
  });
  const signed = await signer.sign(request, { signingDate: new Date(options.signedAt ?? SIGNED_AT) });
  return {
    method: signed.method,
    rawPath: options.path,
    rawQuery: wireQuery(query),
    headers: { ...signed.headers },
  };
}

function signingKeyFor(auth: { date: string; region: string }, secret = SECRET): Buffer {
  return deriveSigningKey(secret, auth.date, auth.region, 's3');
}

/** Parses and verifies as the storage service does, with the signing key the gateway would derive. */
function verify(req: S3RequestToVerify, now = SIGNED_AT, secret = SECRET, region = REGION) {
  const auth = parseS3Authorization(req.headers, { region, rawQuery: req.rawQuery });
  return verifyS3Request(req, auth, signingKeyFor(auth, secret), now);
}

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

function withHeaders(req: S3RequestToVerify, headers: S3Headers): S3RequestToVerify {
  return { ...req, headers: { ...req.headers, ...headers } };
}

function fromRecording(r: RecordedRequest): S3RequestToVerify {
  return { method: r.method, rawPath: r.rawPath, rawQuery: r.rawQuery, headers: r.headers };
}

describe('verifyS3Request', () => {
  describe('with the AWS documentation examples', () => {
    const docsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const at = Date.UTC(2013, 4, 24);

    it('should accept the GET Object example when verified at its date', () => {
      // Amazon S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in a
      // Single Chunk", Example: GET Object (virtual-hosted: host examplebucket.s3.amazonaws.com, path /test.txt).
      const req: S3RequestToVerify = {
        method: 'GET',
        rawPath: '/test.txt',
        rawQuery: '',
        headers: {
          Host: 'examplebucket.s3.amazonaws.com',
          Range: 'bytes=0-9',
          'x-amz-content-sha256': EMPTY_SHA256,
          'x-amz-date': '20130524T000000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
            'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
            'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        },
      };
      const result = verify(req, at, docsSecret);
      expect(result.payload).toEqual({ kind: 'sha256', hash: EMPTY_SHA256 });
      expect(result.scope).toBe('20130524/us-east-1/s3/aws4_request');
    });

    it('should accept the chunked-upload seed request and report a signed stream when verified at its date', () => {
      // "Transferring Payload in Multiple Chunks", Example: PUT Object (seed signature).
      const req: S3RequestToVerify = {
        method: 'PUT',
        rawPath: '/examplebucket/chunkObject.txt',
        rawQuery: '',
        headers: {
          host: 's3.amazonaws.com',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '66560',
          'content-length': '66824',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
            'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;' +
            'x-amz-decoded-content-length;x-amz-storage-class,' +
            'Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        },
      };
      const result = verify(req, at, docsSecret);
      expect(result).toEqual({
        seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        payload: { kind: 'streaming-signed', trailer: false, trailers: [], decodedLength: 66560 },
        amzDate: '20130524T000000Z',
        scope: '20130524/us-east-1/s3/aws4_request',
      });
    });
  });

  describe('with requests recorded from the aws cli and @aws-sdk/client-s3', () => {
    it.each(Object.entries(recordedRequests))(
      'should accept %s when verified with the signing key of its scope',
      (_, r) => {
        const result = verify(fromRecording(r), r.signedAt, RECORDED_SECRET, RECORDED_REGION);
        const auth = parseS3Authorization(r.headers, { region: RECORDED_REGION });
        expect(auth.accessKeyId).toBe(RECORDED_ACCESS_KEY_ID);
        expect(result.seedSignature).toBe(auth.signature);
      },
    );

    it('should report the payload modes the clients chose when verifying their recordings', () => {
      const mode = (r: RecordedRequest) => verify(fromRecording(r), r.signedAt, RECORDED_SECRET).payload;
      expect(mode(recordedRequests.awsCliPutObject as RecordedRequest)).toEqual({
        kind: 'sha256',
        hash: 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
      });
      expect(mode(recordedRequests.sdkPutObjectStream as RecordedRequest)).toEqual({
        kind: 'streaming-unsigned-trailer',
        trailers: ['x-amz-checksum-crc32'],
        decodedLength: 3000,
      });
      expect(mode(recordedRequests.sdkPutObjectStreamCrc32c as RecordedRequest)).toEqual({
        kind: 'streaming-unsigned-trailer',
        trailers: ['x-amz-checksum-crc32c'],
        decodedLength: 70010,
      });
      expect(mode(recordedRequests.sdkPutObjectUnsignedPayload as RecordedRequest)).toEqual({
        kind: 'unsigned',
      });
    });

    it.each(Object.entries(recordedRequests))(
      'should refuse %s when its path, query, a signed header or the secret differ',
      (_, r) => {
        const req = fromRecording(r);
        const check = (changed: S3RequestToVerify, secret = RECORDED_SECRET) =>
          expectS3Error(
            () => verify(changed, r.signedAt, secret),
            'SignatureDoesNotMatch',
            SIGNATURE_MISMATCH_MESSAGE,
          );
        check({ ...req, rawPath: `${req.rawPath}x` });
        check({ ...req, rawQuery: req.rawQuery === '' ? 'acl' : `${req.rawQuery}&x=1` });
        check(withHeaders(req, { host: 'evil.example:9000' }));
        check({ ...req, method: req.method === 'PUT' ? 'POST' : 'PUT' });
        check(req, `${RECORDED_SECRET}x`);
      },
    );

    it('should refuse the recorded aws cli PutObject when its user metadata is changed', () => {
      const r = recordedRequests.awsCliPutObject as RecordedRequest;
      expectS3Error(
        () => verify(withHeaders(fromRecording(r), { 'x-amz-meta-foo': 'baz' }), r.signedAt, RECORDED_SECRET),
        'SignatureDoesNotMatch',
      );
    });

    it('should refuse the recorded aws cli PutObject when the body hash header is changed', () => {
      const r = recordedRequests.awsCliPutObject as RecordedRequest;
      expectS3Error(
        () =>
          verify(
            withHeaders(fromRecording(r), { 'x-amz-content-sha256': EMPTY_SHA256 }),
            r.signedAt,
            RECORDED_SECRET,
          ),
        'SignatureDoesNotMatch',
      );
    });
  });

  describe('against the smithy signer', () => {
    const keys = [
      'a/b.txt',
      'with space/and  two.txt',
      'ünïcødé/日本語/🙂.bin',
      'plus+equals=tilde~.txt',
      'literal%2Fpercent%41.txt',
      "reserved!'()*&$,;:@[]#?.txt",
      'dots/./../x//y/',
      'trailing-slash/',
    ];

    it.each(keys)('should accept a PutObject of key %j when signed by @smithy/signature-v4', async (key) => {
      const body = Buffer.from(`body of ${key}`);
      const hash = createHash('sha256').update(body).digest('hex');
      const req = await signWithSmithy({
        path: `/bkt/${wireKey(key)}`,
        payloadHash: hash,
        headers: { 'content-length': String(body.length), 'x-amz-meta-note': '  spaced   value  ' },
      });
      expect(verify(req).payload).toEqual({ kind: 'sha256', hash });
    });

    it.each([
      ['uploads', { uploads: '' }],
      ['partNumber and uploadId', { partNumber: '1', uploadId: 'x' }],
      ['list-type, prefix and delimiter', { 'list-type': '2', prefix: 'a/b', delimiter: '/' }],
      ['reserved characters', { prefix: "a b+c=d&e/f~g!'()*ü", 'continuation-token': 'tok/en+=' }],
    ])('should accept a query with %s when signed by @smithy/signature-v4', async (_, query) => {
      const req = await signWithSmithy({ method: 'GET', path: '/bkt', query });
      expect(() => verify(req)).not.toThrow();
    });

    it('should accept the query in any order on the wire when its canonical form is sorted', async () => {
      const req = await signWithSmithy({
        method: 'GET',
        path: '/bkt',
        query: { 'list-type': '2', delimiter: '/' },
      });
      expect(() => verify({ ...req, rawQuery: 'delimiter=%2F&list-type=2' })).not.toThrow();
    });

    it('should refuse a path whose dot segments were normalised when the client signed them as sent', async () => {
      const req = await signWithSmithy({ path: '/bkt/a/../b//c' });
      expect(() => verify(req)).not.toThrow();
      expectS3Error(() => verify({ ...req, rawPath: '/bkt/b/c' }), 'SignatureDoesNotMatch');
    });

    it('should accept repeated headers when they arrive as an array', async () => {
      const req = await signWithSmithy({ path: '/bkt/k', headers: { 'x-amz-meta-multi': 'one,two' } });
      expect(() => verify(withHeaders(req, { 'x-amz-meta-multi': ['one', ' two '] }))).not.toThrow();
    });

    it('should accept a clock skew of exactly the limit when the request is older or newer', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      expect(() => verify(req, SIGNED_AT + 15 * MINUTE)).not.toThrow();
      expect(() => verify(req, SIGNED_AT - 15 * MINUTE)).not.toThrow();
    });

    it('should refuse the request with RequestTimeTooSkewed when the clock is more than 15 minutes away', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const late = expectS3Error(() => verify(req, SIGNED_AT + 15 * MINUTE + 1000), 'RequestTimeTooSkewed');
      expect(late.message).toBe(TIME_TOO_SKEWED_MESSAGE);
      expect(late.status).toBe(403);
      expect(late.fields).toEqual({
        RequestTime: '20261129T120000Z',
        ServerTime: new Date(SIGNED_AT + 15 * MINUTE + 1000).toISOString(),
        MaxAllowedSkewMilliseconds: String(15 * MINUTE),
      });
      expectS3Error(() => verify(req, SIGNED_AT - 16 * MINUTE), 'RequestTimeTooSkewed');
    });

    it('should honour a smaller maxSkewMs when one is given', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      expectS3Error(
        () => verifyS3Request(req, auth, signingKeyFor(auth), SIGNED_AT + 61_000, 60_000),
        'RequestTimeTooSkewed',
      );
    });

    it('should refuse with SignatureDoesNotMatch when the signing key is for another day', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      const wrongDay = deriveSigningKey(SECRET, '20261128', REGION, 's3');
      expectS3Error(() => verifyS3Request(req, auth, wrongDay, SIGNED_AT), 'SignatureDoesNotMatch');
    });

    it('should refuse a tampered signature when every other part is right', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const authorization = String(req.headers['authorization']);
      const last = authorization.at(-1) === '0' ? '1' : '0';
      expectS3Error(
        () => verify(withHeaders(req, { authorization: authorization.slice(0, -1) + last })),
        'SignatureDoesNotMatch',
      );
    });
  });

  describe('header rules', () => {
    it('should refuse an X-Amz-Date whose day differs from the credential scope when both are well formed', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      expectS3Error(
        () => verifyS3Request(req, { ...auth, date: '20261128' }, signingKeyFor(auth), SIGNED_AT),
        'AuthorizationHeaderMalformed',
        /Date is not the same as X-Amz-Date/,
      );
    });

    it.each([
      ['missing', undefined],
      ['malformed', '2026-11-29T12:00:00Z'],
      ['not a real instant', '20261131T120000Z'],
    ])('should refuse with AccessDenied when X-Amz-Date is %s', async (_, value) => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      expectS3Error(
        () => verify(withHeaders(req, { 'x-amz-date': value })),
        'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header',
      );
    });

    it.each(['host', 'x-amz-date', 'x-amz-content-sha256'])(
      'should refuse a request when %s is not among the signed headers',
      async (name) => {
        const req = await signWithSmithy({ path: '/bkt/k' });
        const auth = parseS3Authorization(req.headers, { region: REGION });
        const signedHeaders = auth.signedHeaders.filter((h) => h !== name);
        expectS3Error(
          () => verifyS3Request(req, { ...auth, signedHeaders }, signingKeyFor(auth), SIGNED_AT),
          'AuthorizationHeaderMalformed',
          new RegExp(`must include '${name}'`),
        );
      },
    );

    it('should refuse a request when a signed header is missing from it', async () => {
      const req = await signWithSmithy({ path: '/bkt/k', headers: { 'content-type': 'text/plain' } });
      const headers = { ...req.headers };
      delete headers['content-type'];
      expectS3Error(
        () => verify({ ...req, headers }),
        'AuthorizationHeaderMalformed',
        /'content-type' is missing/,
      );
    });

    it('should refuse a request when authorization is listed among the signed headers', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      expectS3Error(
        () =>
          verifyS3Request(
            req,
            { ...auth, signedHeaders: [...auth.signedHeaders, 'authorization'] },
            signingKeyFor(auth),
            SIGNED_AT,
          ),
        'AuthorizationHeaderMalformed',
        /'authorization' cannot be signed/,
      );
    });

    it('should refuse with AccessDenied naming the headers when x-amz-* headers were added unsigned', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const error = expectS3Error(
        () => verify(withHeaders(req, { 'x-amz-meta-added': '1', 'X-Amz-Acl': 'public-read' })),
        'AccessDenied',
        'There were headers present in the request which were not signed',
      );
      expect(error.fields).toEqual({ HeadersNotSigned: 'x-amz-acl, x-amz-meta-added' });
    });

    it('should accept unsigned headers when they are not x-amz-* headers', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      expect(() => verify(withHeaders(req, { expect: '100-continue', 'user-agent': 'x' }))).not.toThrow();
    });

    it('should refuse with InvalidRequest when x-amz-content-sha256 is missing', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const headers = { ...req.headers };
      delete headers['x-amz-content-sha256'];
      expectS3Error(
        () => verify({ ...req, headers }),
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      );
    });

    it('should refuse with InvalidArgument when x-amz-content-sha256 is not a known value', async () => {
      const req = await signWithSmithy({
        path: '/bkt/k',
        payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
      });
      expectS3Error(() => verify(req), 'InvalidArgument', /x-amz-content-sha256 must be/);
      const short = await signWithSmithy({ path: '/bkt/k', payloadHash: 'abc' });
      expectS3Error(() => verify(short), 'InvalidArgument');
    });

    it('should report STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER as a signed stream with its trailer', async () => {
      const req = await signWithSmithy({
        path: '/bkt/k',
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        headers: { 'x-amz-decoded-content-length': '10', 'x-amz-trailer': 'X-Amz-Checksum-CRC32C' },
      });
      expect(verify(req).payload).toEqual({
        kind: 'streaming-signed',
        trailer: true,
        trailers: ['x-amz-checksum-crc32c'],
        decodedLength: 10,
      });
    });

    it('should refuse a streaming payload with MissingContentLength when x-amz-decoded-content-length is absent', async () => {
      const req = await signWithSmithy({ path: '/bkt/k', payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
      expectS3Error(() => verify(req), 'MissingContentLength');
    });

    it('should refuse a trailer payload when x-amz-trailer is absent', async () => {
      const req = await signWithSmithy({
        path: '/bkt/k',
        payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        headers: { 'x-amz-decoded-content-length': '10' },
      });
      expectS3Error(() => verify(req), 'InvalidRequest', /x-amz-trailer is required/);
    });

    it('should refuse x-amz-trailer when the payload mode has no trailer', async () => {
      const req = await signWithSmithy({
        path: '/bkt/k',
        headers: { 'x-amz-trailer': 'x-amz-checksum-crc32' },
      });
      expectS3Error(() => verify(req), 'InvalidRequest', /x-amz-trailer is not allowed/);
    });

    it('the signing key must be a 32-byte HMAC-SHA256 key', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      expect(() => verifyS3Request(req, auth, Buffer.alloc(16), SIGNED_AT)).toThrow(
        'the signing key must be a 32-byte HMAC-SHA256 key',
      );
    });

    it('maxSkewMs must be a positive number of milliseconds', async () => {
      const req = await signWithSmithy({ path: '/bkt/k' });
      const auth = parseS3Authorization(req.headers, { region: REGION });
      expect(() => verifyS3Request(req, auth, signingKeyFor(auth), SIGNED_AT, 0)).toThrow(
        'maxSkewMs must be a positive number of milliseconds',
      );
    });
  });
});

describe('parseS3Authorization', () => {
  const valid =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, ' +
    'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=' +
    'AB'.repeat(32);
  const parse = (authorization: string | string[] | undefined, rawQuery?: string) =>
    parseS3Authorization({ Authorization: authorization }, { region: REGION, rawQuery });

  it('should return the parts of the header when it is well formed', () => {
    expect(parse(valid)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20261129',
      region: 'us-east-1',
      service: 's3',
      signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
      signature: 'ab'.repeat(32),
    });
  });

  it('should accept the header without spaces after the commas when botocore style is used', () => {
    expect(parse(valid.replace(/, /g, ',')).accessKeyId).toBe('AKIDEXAMPLE');
  });

  it("should refuse an anonymous request with AccessDenied 'Access Denied' when there is no Authorization header", () => {
    const error = expectS3Error(() => parse(undefined), 'AccessDenied', 'Access Denied');
    expect(error.message).toBe('Access Denied');
    expectS3Error(() => parse('  '), 'AccessDenied', 'Access Denied');
  });

  it('should refuse presigned URLs with NotImplemented when the query carries X-Amz-Signature', () => {
    const query =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261129%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20261129T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=' +
      'ab'.repeat(32);
    const error = expectS3Error(() => parse(undefined, query), 'NotImplemented', /presigned URLs/);
    expect(error.status).toBe(501);
    expectS3Error(() => parse(undefined, 'AWSAccessKeyId=AKID&Expires=1&Signature=abc'), 'NotImplemented');
  });

  it('should refuse with InvalidArgument when both the header and the query carry a signature', () => {
    expectS3Error(
      () => parse(valid, `X-Amz-Signature=${'ab'.repeat(32)}`),
      'InvalidArgument',
      /Only one auth mechanism/,
    );
  });

  it('should refuse SigV2 and SigV4a with InvalidRequest when the algorithm is not AWS4-HMAC-SHA256', () => {
    expectS3Error(
      () => parse('AWS AKIDEXAMPLE:c2lnbmF0dXJl'),
      'InvalidRequest',
      /Please use AWS4-HMAC-SHA256/,
    );
    expectS3Error(() => parse(valid.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')), 'InvalidRequest');
  });

  it.each([
    ['a missing Signature', valid.replace(/, Signature=.*/, '')],
    ['an unknown parameter', `${valid}, Extra=1`],
    ['a repeated parameter', `${valid}, Signature=${'ab'.repeat(32)}`],
    ['a credential with four parts', valid.replace('/s3/aws4_request', '/aws4_request')],
    ['a malformed scope date', valid.replace('20261129', '2026-11-29')],
    ['a malformed access key id', valid.replace('AKIDEXAMPLE', 'AKID EXAMPLE')],
    ['another service', valid.replace('/s3/', '/kms/')],
    ['another terminator', valid.replace('aws4_request', 'aws5_request')],
    ['a bad signed-header name', valid.replace('host;', 'ho st;')],
    ['a repeated signed header', valid.replace('host;', 'host;host;')],
    ['a short signature', valid.slice(0, -2)],
    ['a non-hex signature', valid.slice(0, -2) + 'zz'],
    ['an oversized header', valid + ' '.repeat(8200) + 'x'],
    ['two Authorization headers', [valid, valid]],
  ])('should refuse %s with AuthorizationHeaderMalformed', (_, authorization) => {
    const error = expectS3Error(() => parse(authorization), 'AuthorizationHeaderMalformed');
    expect(error.status).toBe(400);
    expect(error.message).not.toContain('ab'.repeat(32));
  });

  it('should refuse another region with AuthorizationHeaderMalformed naming the expected region', () => {
    const error = expectS3Error(
      () => parse(valid.replace('us-east-1', 'eu-west-1')),
      'AuthorizationHeaderMalformed',
      "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    );
    expect(error.fields).toEqual({ Region: 'us-east-1' });
  });

  it('the service region must be non-empty', () => {
    expect(() => parseS3Authorization({ authorization: valid }, { region: '' })).toThrow(
      'the service region must be non-empty',
    );
  });
});

describe('canonicalUri', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/bkt/a/b.txt', '/bkt/a/b.txt'],
    ['/bkt/sp%20ace', '/bkt/sp%20ace'],
    ['/bkt/%7Etilde~', '/bkt/~tilde~'],
    ['/bkt/a+b=c', '/bkt/a%2Bb%3Dc'],
    ['/bkt/%c3%bc', '/bkt/%C3%BC'],
    ['/bkt/%C3%BC', '/bkt/%C3%BC'],
    ['/bkt/a%2Fb', '/bkt/a/b'],
    ['/bkt/a%252Fb', '/bkt/a%252Fb'],
    ['/bkt/./a/../b//c/', '/bkt/./a/../b//c/'],
    ["/bkt/(x)!*'", '/bkt/%28x%29%21%2A%27'],
  ])('should encode %j as %j', (raw, canonical) => {
    expect(canonicalUri(raw)).toBe(canonical);
  });

  it('should refuse a path with a broken percent escape', () => {
    expectS3Error(() => canonicalUri('/bkt/%zz'), 'InvalidArgument');
    expectS3Error(() => canonicalUri('/bkt/%ff'), 'InvalidArgument');
  });
});

describe('canonicalQuery', () => {
  it.each([
    ['', ''],
    ['uploads', 'uploads='],
    ['uploadId=x&partNumber=1', 'partNumber=1&uploadId=x'],
    ['list-type=2&prefix=a%2Fb&delimiter=%2F', 'delimiter=%2F&list-type=2&prefix=a%2Fb'],
    ['prefix=a/b', 'prefix=a%2Fb'],
    ['prefix=a+b', 'prefix=a%2Bb'],
    ['b=2&a=2&a=1', 'a=1&a=2&b=2'],
    ['x-id=PutObject', 'x-id=PutObject'],
  ])('should canonicalise %j as %j', (raw, canonical) => {
    expect(canonicalQuery(raw)).toBe(canonical);
  });
});

describe('chunk and trailer strings to sign', () => {
  it('should lay out the chunk string to sign as the AWS chunked-upload documentation does', () => {
    expect(
      chunkStringToSign('20130524T000000Z', credentialScope('20130524', 'us-east-1'), 'prev', 'cafe'),
    ).toBe(
      `AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nprev\n${EMPTY_SHA256}\ncafe`,
    );
  });

  it('should reproduce the first chunk signature of the AWS chunked-upload example when chained from its seed', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
    const data = createHash('sha256').update(Buffer.alloc(65536, 'a')).digest('hex');
    const toSign = chunkStringToSign(
      '20130524T000000Z',
      '20130524/us-east-1/s3/aws4_request',
      '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      data,
    );
    expect(signString(key, toSign)).toBe('ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  });

  it('should hash the trailers as sorted name:value lines when building the trailer string to sign', () => {
    const lines = 'x-amz-checksum-crc32:AAAAAA==\nx-amz-checksum-sha1:BBBB\n';
    expect(
      trailerStringToSign('20130524T000000Z', 'scope', 'prev', {
        'x-amz-checksum-sha1': 'BBBB',
        'X-Amz-Checksum-CRC32': ' AAAAAA== ',
      }),
    ).toBe(
      `AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\nscope\nprev\n${createHash('sha256').update(lines).digest('hex')}`,
    );
  });
});

describe('parseAmzTrailer and decodedContentLength', () => {
  it('should return lower-case checksum names when x-amz-trailer names one', () => {
    expect(parseAmzTrailer({ 'X-Amz-Trailer': ' x-amz-checksum-SHA256 ' })).toEqual([
      'x-amz-checksum-sha256',
    ]);
    expect(parseAmzTrailer({})).toEqual([]);
  });

  it('should refuse x-amz-trailer when it names something other than one checksum', () => {
    expectS3Error(() => parseAmzTrailer({ 'x-amz-trailer': 'x-amz-meta-foo' }), 'InvalidRequest');
    expectS3Error(
      () => parseAmzTrailer({ 'x-amz-trailer': 'x-amz-checksum-crc32,x-amz-checksum-sha1' }),
      'InvalidRequest',
      /Multiple checksum Types/,
    );
  });

  it('should parse x-amz-decoded-content-length when it is a decimal integer', () => {
    expect(decodedContentLength({ 'x-amz-decoded-content-length': '3000' })).toBe(3000);
    expectS3Error(() => decodedContentLength({ 'x-amz-decoded-content-length': '-1' }), 'InvalidArgument');
    expectS3Error(() => decodedContentLength({ 'x-amz-decoded-content-length': '1e3' }), 'InvalidArgument');
    expectS3Error(() => decodedContentLength({}), 'MissingContentLength');
  });
});
