/**
 * Requests recorded on this machine from real clients (test credentials only, never used anywhere):
 * the aws cli 2.9.19 (botocore) against a local listener, and @aws-sdk/client-kms 3.1160 with a request
 * handler that captured the signed request instead of sending it. Each verifies at `at` (epoch ms).
 */
import type { SigV4Request, SigV4Secret } from './sigv4-verifier.js';

export interface RecordedRequest {
  client: string;
  accessKeyId: string;
  secret: SigV4Secret;
  /** The moment the request was signed. */
  at: number;
  request: SigV4Request;
}

function recorded(
  client: string,
  accessKeyId: string,
  secret: SigV4Secret,
  headers: Record<string, string>,
  bodyBase64: string,
): RecordedRequest {
  const amzDate = headers['x-amz-date'] as string;
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  return {
    client,
    accessKeyId,
    secret,
    at,
    request: { method: 'POST', path: '/', headers, body: Buffer.from(bodyBase64, 'base64') },
  };
}

export const awsCliEncrypt = recorded(
  'aws-cli/2.9.19 kms encrypt',
  'AKIDBOTOEXAMPLE',
  { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  {
    host: '127.0.0.1:18089',
    'accept-encoding': 'identity',
    'x-amz-target': 'TrentService.Encrypt',
    'content-type': 'application/x-amz-json-1.1',
    'user-agent':
      'aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v657 source/x86_64.debian.12 prompt/off command/kms.encrypt',
    'x-amz-date': '20261129T000858Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDBOTOEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=e963feb8410ab62f6f49a4a1a8a6a9f525496793a7f138951496de649309233a',
    'content-length': '45',
  },
  'eyJLZXlJZCI6ICJhbGlhcy94IiwgIlBsYWludGV4dCI6ICJhR1ZzYkc4PSJ9',
);

export const awsCliDecryptWithSessionToken = recorded(
  'aws-cli/2.9.19 kms decrypt (temporary credentials)',
  'ASIABOTOEXAMPLE',
  {
    secretAccessKey: 'tmpSecretBotoExample0123456789abcdefXYZ',
    sessionToken: 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN//token=',
  },
  {
    host: '127.0.0.1:18089',
    'accept-encoding': 'identity',
    'x-amz-target': 'TrentService.Decrypt',
    'content-type': 'application/x-amz-json-1.1',
    'user-agent':
      'aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v657 source/x86_64.debian.12 prompt/off command/kms.decrypt',
    'x-amz-date': '20261129T000901Z',
    'x-amz-security-token': 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN//token=',
    authorization:
      'AWS4-HMAC-SHA256 Credential=ASIABOTOEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=2176c8ff23e0a55d4a1806d267f0726872a17a23bb8ed4acbf45f8fe9e504bae',
    'content-length': '30',
  },
  'eyJDaXBoZXJ0ZXh0QmxvYiI6ICJBUUlEQkE9PSJ9',
);

export const sdkV3Encrypt = recorded(
  '@aws-sdk/client-kms 3.1160 Encrypt',
  'AKIDSDKV3EXAMPLE',
  { secretAccessKey: 'sdkV3SecretExample/K7MDENG+bPxRfiCYEXAMPLE' },
  {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.Encrypt',
    'content-length': '52',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/kms#3.1160.0 m/N,E,e',
    host: '127.0.0.1:8080',
    'amz-sdk-invocation-id': '11860753-540b-4945-88f3-1e19f0f5ba74',
    'amz-sdk-request': 'attempt=1; max=1',
    'x-amz-date': '20261129T001012Z',
    'x-amz-content-sha256': '8c37832fc247110033cb074f09cd7667b2668d4d69848c90efc56f9830ddae53',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDSDKV3EXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signature=d732bcf0565f043d311d9f676923bb4ec52f49aa6c35a2a73dca57e9a9bd8b65',
  },
  'eyJLZXlJZCI6ImFsaWFzL2FwcCIsIlBsYWludGV4dCI6ImFHVnNiRzhnZDI5eWJHUT0ifQ==',
);

export const sdkV3GenerateDataKeyWithSessionToken = recorded(
  '@aws-sdk/client-kms 3.1160 GenerateDataKey (temporary credentials)',
  'ASIASDKV3EXAMPLE',
  {
    secretAccessKey: 'sdkV3TempSecretExample0123456789abcdef',
    sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/session+token==',
  },
  {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.GenerateDataKey',
    'content-length': '41',
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent':
      'aws-sdk-js/3.1160.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/kms#3.1160.0 m/N,E,e',
    host: '127.0.0.1:8080',
    'amz-sdk-invocation-id': '38467aa0-1cd2-458a-90d2-a0f544d909c0',
    'amz-sdk-request': 'attempt=1; max=1',
    'x-amz-date': '20261129T001013Z',
    'x-amz-security-token': 'IQoJb3JpZ2luX2VjEXAMPLE/session+token==',
    'x-amz-content-sha256': 'ec1e35916c7b79a65ff2ec9c2abde412f32ee84956d2fca7ebba76773f28e576',
    authorization:
      'AWS4-HMAC-SHA256 Credential=ASIASDKV3EXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target;x-amz-user-agent, Signature=083ad9d5b45c530cdd36cf0e89e563569bcdaf378c5590214760d224ee0446ea',
  },
  'eyJLZXlJZCI6ImFsaWFzL2FwcCIsIktleVNwZWMiOiJBRVNfMjU2In0=',
);

export const recordedRequests: readonly RecordedRequest[] = [
  awsCliEncrypt,
  awsCliDecryptWithSessionToken,
  sdkV3Encrypt,
  sdkV3GenerateDataKeyWithSessionToken,
];
