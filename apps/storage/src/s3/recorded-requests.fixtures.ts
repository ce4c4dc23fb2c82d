/**
 * Requests recorded from the real clients against a local http server on 127.0.0.1 (2026-11-29), secret
 * RECORDED_SECRET: aws-cli 1.45.11 / botocore 1.43.11 (`aws s3api put-object`, `list-objects-v2`, `aws s3 cp` of a
 * 20 MiB file, which went multipart) and @aws-sdk/client-s3 3.1161 (PutObject with Buffer, stream and string bodies,
 * ListObjectsV2, UploadPart, requestChecksumCalculation WHEN_REQUIRED). Headers as received (lower-cased by Node),
 * path and query exactly as on the wire. `body` is the base64 body when it is small, for the aws-chunked decoder.
 */
export interface RecordedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  /** Epoch ms of X-Amz-Date, the clock to verify at. */
  signedAt: number;
  bodyLength: number;
  body?: string;
}

export const RECORDED_ACCESS_KEY_ID = 'AKIDEXAMPLE';
export const RECORDED_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const RECORDED_REGION = 'us-east-1';

export const awsCliPutObject: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/a/b.txt',
  rawQuery: '',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'x-amz-meta-foo': 'bar',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/b,U,D,g,Z,N cfg/retry-mode#legacy botocore/1.43.11',
    expect: '100-continue',
    'x-amz-checksum-crc32': 'rwg7LQ==',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-date': '20261129T134640Z',
    'x-amz-content-sha256': 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-meta-foo;x-amz-sdk-checksum-algorithm, Signature=f95dd019aa1d318300839170906b386cfafcaf0f68171bb3b7ae98936a7f58d0',
    'amz-sdk-invocation-id': '72b33721-fda7-43b4-b74c-5e1317284194',
    'amz-sdk-request': 'attempt=1',
    'content-length': '12',
  },
  signedAt: 1795960000000,
  bodyLength: 12,
};

export const awsCliPutObjectUnicodeKey: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/sp%20ace/%C3%BCn%C3%AF%2B%3D~%252F%28x%29%21%2A.txt',
  rawQuery: '',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/D,U,N,b,g,Z cfg/retry-mode#legacy botocore/1.43.11',
    expect: '100-continue',
    'x-amz-checksum-crc32': 'rwg7LQ==',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-date': '20261129T134640Z',
    'x-amz-content-sha256': 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm, Signature=c577b507dc7eb11b0c06835410a0243eb8ae0179a07ecb9ad021f514bb7080d3',
    'amz-sdk-invocation-id': 'c68faa91-9312-43cc-8d85-19e5204cee89',
    'amz-sdk-request': 'attempt=1',
    'content-length': '12',
  },
  signedAt: 1795960000000,
  bodyLength: 12,
};

export const awsCliListObjectsV2: RecordedRequest = {
  method: 'GET',
  rawPath: '/bkt',
  rawQuery: 'list-type=2&delimiter=%2F&prefix=a%2Fb&encoding-type=url',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/b,Z,C,g,N,D cfg/retry-mode#legacy botocore/1.43.11',
    'x-amz-date': '20261129T134640Z',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=5481d6f527567bce395a765b4efed08859d7de2b43ca1f0cd9084d0aa182c43e',
    'amz-sdk-invocation-id': '45596a58-b13d-46f1-b00b-420f64872f18',
    'amz-sdk-request': 'attempt=1',
  },
  signedAt: 1795960000000,
  bodyLength: 0,
};

export const awsCliCreateMultipartUpload: RecordedRequest = {
  method: 'POST',
  rawPath: '/bkt/big.bin',
  rawQuery: 'uploads',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'x-amz-checksum-algorithm': 'CRC32',
    'content-type': 'application/octet-stream',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/N,D,Z,b cfg/retry-mode#legacy botocore/1.43.11',
    'x-amz-date': '20261129T134641Z',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-checksum-algorithm;x-amz-content-sha256;x-amz-date, Signature=bf85833279b36730e6a1295b3b82daf93b04c674dca71859f143e5b1ccb21de0',
    'amz-sdk-invocation-id': '18a55d97-c46f-47ed-83b6-3ab2b84070ad',
    'amz-sdk-request': 'attempt=1',
    'content-length': '0',
  },
  signedAt: 1795960001000,
  bodyLength: 0,
};

export const awsCliUploadPart2: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/big.bin',
  rawQuery: 'uploadId=up1&partNumber=2',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/U,Z,b,N,D cfg/retry-mode#legacy botocore/1.43.11',
    expect: '100-continue',
    'x-amz-checksum-crc32': '3OyFyQ==',
    'x-amz-date': '20261129T134641Z',
    'x-amz-content-sha256': 'a0cf7dd53551fbb9a9d66a1c833ea489ea3cc8b810800c3797b14579d0510215',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm, Signature=c183039234a3fa446ad8b2b2947a97616604796c7875ac2183ba85d9f419e15c',
    'amz-sdk-invocation-id': '9cbdae5f-4a31-4c8a-ba61-439fc117481d',
    'amz-sdk-request': 'attempt=1',
    'content-length': '8388608',
  },
  signedAt: 1795960001000,
  bodyLength: 8388608,
};

export const awsCliUploadPart3: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/big.bin',
  rawQuery: 'uploadId=up1&partNumber=3',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/U,Z,b,N,D cfg/retry-mode#legacy botocore/1.43.11',
    expect: '100-continue',
    'x-amz-checksum-crc32': 'e37UTQ==',
    'x-amz-date': '20261129T134641Z',
    'x-amz-content-sha256': 'cf564ed6eeb6287a1288ed628972db3ee2e7ff453d04e0212a20ae70cdbffcd1',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm, Signature=09a670a1ab9c30fba8b0f878c0773a9e3da3c734932765d981459dad3803e0f2',
    'amz-sdk-invocation-id': 'f91b795e-2dfb-4383-b6f6-455ef04ddf29',
    'amz-sdk-request': 'attempt=1',
    'content-length': '4194304',
  },
  signedAt: 1795960001000,
  bodyLength: 4194304,
};

export const awsCliUploadPart1: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/big.bin',
  rawQuery: 'uploadId=up1&partNumber=1',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/U,Z,b,N,D cfg/retry-mode#legacy botocore/1.43.11',
    expect: '100-continue',
    'x-amz-checksum-crc32': 'ZsPiSw==',
    'x-amz-date': '20261129T134641Z',
    'x-amz-content-sha256': '7f4798eb49fbc913dbfe844307c6157588bf179d2e79efed5bee17d617b4b516',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm, Signature=f20050da2cc224eba33d11ca7a50eaf8c1b9abb6731ff33b5dc8cbc520bb73d5',
    'amz-sdk-invocation-id': '58997cef-8097-41c7-ad94-49a391e6db09',
    'amz-sdk-request': 'attempt=1',
    'content-length': '8388608',
  },
  signedAt: 1795960001000,
  bodyLength: 8388608,
};

export const awsCliCompleteMultipartUpload: RecordedRequest = {
  method: 'POST',
  rawPath: '/bkt/big.bin',
  rawQuery: 'uploadId=up1',
  headers: {
    host: '127.0.0.1:18093',
    'accept-encoding': 'identity',
    'user-agent':
      'aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/N,D,Z,b cfg/retry-mode#legacy botocore/1.43.11',
    'x-amz-date': '20261129T134641Z',
    'x-amz-content-sha256': '1aacd48138dea4f0a0bd1316636aa29989b6c2f7d25aebb77ec410c37daf442a',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=e6d1d3ef048acc6cacee797a7d38894a4c5143dbbb33911e638e82be55d23dd6',
    'amz-sdk-invocation-id': '82557d62-b19f-41dc-8c67-0f76c714cec7',
    'amz-sdk-request': 'attempt=1',
    'content-length': '357',
  },
  signedAt: 1795960001000,
  bodyLength: 357,
};

export const sdkPutObjectBuffer: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/buf.bin',
  rawQuery: 'x-id=PutObject',
  headers: {
    'content-type': 'application/octet-stream',
    'content-length': '3000',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-checksum-crc32': '4ZbgOA==',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,Z,b,U,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '95a05793-d763-487f-90da-2168b1240e9f',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    'x-amz-content-sha256': '48c187767dddb44e5b7af78dabdec2b14f0f983e86e1fe695c65bc6a2a3cb42f',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm;x-amz-user-agent, Signature=9a9c7602974f331515782692f31713cdeea2e875685b2af560d524e587f853c3',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 3000,
};

export const sdkPutObjectStream: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/stream.bin',
  rawQuery: 'x-id=PutObject',
  headers: {
    'content-type': 'application/octet-stream',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'content-encoding': 'aws-chunked',
    'transfer-encoding': 'chunked',
    'x-amz-decoded-content-length': '3000',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-trailer': 'x-amz-checksum-crc32',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,Z,b,U,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '53e88ae1-de56-4047-8359-e9e4038f197d',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-encoding;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer;x-amz-user-agent, Signature=3beace53422df5c758fcf25af3c60b901f68e67427676e4acd21e0bea92326ad',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 3050,
  body: 'M2U4DQoHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHDQo3ZDANCgcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHDQowDQp4LWFtei1jaGVja3N1bS1jcmMzMjo0WmJnT0E9PQ0KDQo=',
};

export const sdkPutObjectUnicodeKey: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/sp%20ace/%C3%BCn%C3%AF%2B%3D~%252F%28x%29%21%2A%27.txt',
  rawQuery: 'x-id=PutObject',
  headers: {
    'x-amz-meta-foo': 'a  b',
    'content-type': 'application/octet-stream',
    'content-length': '2',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-checksum-crc32': '2JMqrA==',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,Z,b,U,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': 'e474c027-5839-422c-b815-8efabd46b2ac',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    'x-amz-content-sha256': '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-meta-foo;x-amz-sdk-checksum-algorithm;x-amz-user-agent, Signature=c05ef28c6a5cb32e43280c1e23f6e01c9b6a84dd91d64db684081841979cd59c',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 2,
};

export const sdkListObjectsV2: RecordedRequest = {
  method: 'GET',
  rawPath: '/bkt/',
  rawQuery: 'delimiter=%2F&list-type=2&prefix=a%2Fb',
  headers: {
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '97e4511b-86a3-46ba-8e39-fdaf70d7e09e',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent, Signature=0a21523fddb10987c6c34f1351ab6a477d4a510d9ed323974db9978eb2f0f94d',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 0,
};

export const sdkUploadPart: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/k',
  rawQuery: 'partNumber=1&uploadId=x&x-id=UploadPart',
  headers: {
    'content-type': 'application/octet-stream',
    'content-length': '3000',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-checksum-crc32': '4ZbgOA==',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,Z,b,U,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '20f1cc35-1371-49f1-9113-8e5d056a0473',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    'x-amz-content-sha256': '48c187767dddb44e5b7af78dabdec2b14f0f983e86e1fe695c65bc6a2a3cb42f',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm;x-amz-user-agent, Signature=c16c474d7d34263eb867f05242bb1ee91a127d8b0b629713663f3a252065538f',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 3000,
};

export const sdkPutObjectUnsignedPayload: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/wr.bin',
  rawQuery: 'x-id=PutObject',
  headers: {
    'content-length': '3000',
    'content-type': 'application/octet-stream',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,a,b,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '91d06a50-1c78-4cec-93f4-d29a98504823',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent, Signature=b62ed8a611e6b07d7c61d79b5dea8b501d8b1fc1e5d9dfa3003d054180b06071',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 3000,
};

export const sdkPutObjectStreamCrc32c: RecordedRequest = {
  method: 'PUT',
  rawPath: '/bkt/big-stream.bin',
  rawQuery: 'x-id=PutObject',
  headers: {
    'x-amz-sdk-checksum-algorithm': 'CRC32C',
    'content-type': 'application/octet-stream',
    'content-encoding': 'aws-chunked',
    'transfer-encoding': 'chunked',
    'x-amz-decoded-content-length': '70010',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-trailer': 'x-amz-checksum-crc32c',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1160.0 m/N,Z,b,V,E,e',
    host: '127.0.0.1:18093',
    'amz-sdk-invocation-id': '8d1ba3b6-9cdf-4441-b57f-2e8f2d9f20b7',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-date': '20261129T134647Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-encoding;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer;x-amz-user-agent, Signature=86bca1b28ed34feb80e1dd443a889ceae5e30df1f2b308af001850bb3862a87d',
    connection: 'keep-alive',
  },
  signedAt: 1795960007000,
  bodyLength: 70061,
};

export const recordedRequests: Record<string, RecordedRequest> = {
  awsCliPutObject,
  awsCliPutObjectUnicodeKey,
  awsCliListObjectsV2,
  awsCliCreateMultipartUpload,
  awsCliUploadPart2,
  awsCliUploadPart3,
  awsCliUploadPart1,
  awsCliCompleteMultipartUpload,
  sdkPutObjectBuffer,
  sdkPutObjectStream,
  sdkPutObjectUnicodeKey,
  sdkListObjectsV2,
  sdkUploadPart,
  sdkPutObjectUnsignedPayload,
  sdkPutObjectStreamCrc32c,
};
