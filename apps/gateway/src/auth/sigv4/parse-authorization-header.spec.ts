import { SigV4Error } from './errors/sigv4.error.js';
import { parseAuthorizationHeader } from './parse-authorization-header.js';

const SIGNATURE = 'e963feb8410ab62f6f49a4a1a8a6a9f525496793a7f138951496de649309233a';
const VALID =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, ' +
  `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

function expectIncomplete(value: string): SigV4Error {
  let caught: unknown;
  try {
    parseAuthorizationHeader(value);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SigV4Error);
  const error = caught as SigV4Error;
  expect(error.type).toBe('IncompleteSignatureException');
  expect(error.httpStatus).toBe(400);
  return error;
}

describe('parseAuthorizationHeader', () => {
  it('should return every part when the header is well formed', () => {
    expect(parseAuthorizationHeader(VALID)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20261129',
      region: 'us-east-1',
      service: 'kms',
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
      signature: SIGNATURE,
    });
  });

  it('should accept parameters without spaces after commas and in any order when they are all present', () => {
    const value =
      `AWS4-HMAC-SHA256 Signature=${SIGNATURE},SignedHeaders=host;x-amz-date,` +
      'Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request';
    expect(parseAuthorizationHeader(value)).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      signedHeaders: ['host', 'x-amz-date'],
      signature: SIGNATURE,
    });
  });

  it('should lower-case signed header names and the signature when the client used upper case', () => {
    const value = VALID.replace('content-type;host', 'Content-Type;Host').replace(
      SIGNATURE,
      SIGNATURE.toUpperCase(),
    );
    const parsed = parseAuthorizationHeader(value);
    expect(parsed.signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
    expect(parsed.signature).toBe(SIGNATURE);
  });

  it('should reject when the algorithm is not AWS4-HMAC-SHA256', () => {
    expectIncomplete(VALID.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'));
    expectIncomplete(VALID.replace('AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256'));
    expectIncomplete(`Bearer ${SIGNATURE}`);
  });

  it('should name every missing parameter when parameters are missing', () => {
    const error = expectIncomplete(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request',
    );
    expect(error.message).toBe(
      "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.",
    );
    expectIncomplete('AWS4-HMAC-SHA256');
    expectIncomplete(VALID.replace(`Signature=${SIGNATURE}`, 'Signature='));
  });

  it('should reject when a parameter is repeated or unknown', () => {
    expectIncomplete(`${VALID}, Signature=${SIGNATURE}`);
    expectIncomplete(`${VALID}, Extra=1`);
    expectIncomplete(`${VALID},`);
  });

  it('should reject when the credential scope is malformed', () => {
    expectIncomplete(
      VALID.replace('AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request', 'AKIDEXAMPLE/20261129/us-east-1/kms'),
    );
    expectIncomplete(VALID.replace('/aws4_request', '/aws4_request/extra'));
    expectIncomplete(VALID.replace('/aws4_request', '/aws5_request'));
    expectIncomplete(VALID.replace('20261129', '2026-11-29'));
    expectIncomplete(VALID.replace('/us-east-1/', '/us east 1/'));
    expectIncomplete(VALID.replace('/kms/', '//'));
    expectIncomplete(VALID.replace('AKIDEXAMPLE', 'AKID<script>'));
  });

  it('should reject when SignedHeaders is malformed', () => {
    expectIncomplete(VALID.replace('content-type;host', 'content-type;;host'));
    expectIncomplete(VALID.replace('content-type;host', 'content type;host'));
    expectIncomplete(VALID.replace('content-type;host', 'host;HOST'));
  });

  it('should reject when the signature is not 64 hex characters', () => {
    expectIncomplete(VALID.replace(SIGNATURE, SIGNATURE.slice(1)));
    expectIncomplete(VALID.replace(SIGNATURE, `${SIGNATURE.slice(1)}g`));
  });

  it('should reject without echoing the header when it is too long', () => {
    const error = expectIncomplete(`${VALID}${' '.repeat(9000)}`);
    expect(error.message).not.toContain(SIGNATURE);
  });

  it('should never echo the signature when the header is malformed', () => {
    const error = expectIncomplete(VALID.replace('/aws4_request', '/bad'));
    expect(error.message).not.toContain(SIGNATURE);
  });
});
