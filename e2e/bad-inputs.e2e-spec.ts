/**
 * Bad input of any kind gets a clear error in the AWS error shape (DESIGN.md invariant 7), never a crash, a hang or a
 * plaintext; every ciphertext is authenticated (invariant 6). Each test is named after its defect, sends it as a raw
 * HTTP request (signed with SigV4 where a valid signature is needed) or through the SDK, and checks that the service
 * still serves a valid Encrypt right after.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes, randomUUID } from 'node:crypto';

import { type RawResponse, b64, rawKms } from './support/clients.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const CONTEXT = { purpose: 'bad-inputs' };
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

let platform: TestPlatform;
let kms: KMSClient;
let keyId: string;
let keyArn: string;
/** A valid blob of 32 bytes of plaintext under CONTEXT: 21 header + 12 IV + 32 ciphertext + 16 tag = 81 bytes. */
let blob: Buffer;

beforeAll(async () => {
  platform = await startTestPlatform();
  kms = platform.kms();
  const created = await kms.send(new CreateKeyCommand({ Description: 'bad inputs' }));
  keyId = created.KeyMetadata!.KeyId!;
  keyArn = created.KeyMetadata!.Arn!;
  const enc = await kms.send(
    new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(32), EncryptionContext: CONTEXT }),
  );
  blob = Buffer.from(enc.CiphertextBlob!);
}, START_TIMEOUT);

afterAll(async () => {
  kms?.destroy();
  await platform?.stop();
}, START_TIMEOUT);

/** A valid Encrypt, sent raw: proves the service still serves after a bad request. */
async function expectStillServing(): Promise<void> {
  const res = await rawKms(platform, {
    target: 'Encrypt',
    body: { KeyId: keyId, Plaintext: b64(randomBytes(16)) },
  });
  expect(res.status).toBe(200);
  expect(typeof res.json?.['CiphertextBlob']).toBe('string');
}

/** The response is an AWS JSON 1.1 error of this type and status, with a message; then a valid Encrypt succeeds. */
async function expectAwsError(
  res: RawResponse,
  status: number,
  type: string,
  message?: RegExp,
): Promise<void> {
  expect({ status: res.status, type: res.json?.['__type'] }).toEqual({ status, type });
  expect(res.contentType).toContain(JSON_CONTENT_TYPE);
  expect(typeof res.json?.['message']).toBe('string');
  expect(String(res.json?.['message']).length).toBeGreaterThan(0);
  if (message) expect(String(res.json?.['message'])).toMatch(message);
  expect(res.json).not.toHaveProperty('Plaintext');
  await expectStillServing();
}

/** The SDK rejects with this modelled or unmodelled AWS error; then a valid Encrypt succeeds. */
async function expectSdkError(p: Promise<unknown>, type: string, status = 400): Promise<void> {
  const err = await p.then(
    (ok) => ({ unexpectedSuccess: ok }),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KMSServiceException);
  const e = err as KMSServiceException;
  expect({ name: e.name, status: e.$metadata.httpStatusCode }).toEqual({ name: type, status });
  expect(e.message.length).toBeGreaterThan(0);
  await expectStillServing();
}

const decryptRaw = (ciphertext: Buffer) =>
  rawKms(platform, {
    target: 'Decrypt',
    body: { CiphertextBlob: b64(ciphertext), EncryptionContext: CONTEXT },
  });

describe('malformed requests', () => {
  it('should answer SerializationException when the body is malformed JSON', async () => {
    const res = await rawKms(platform, { target: 'Encrypt', rawBody: `{"KeyId": "${'x'}", "Plaintext": ` });
    await expectAwsError(res, 400, 'SerializationException');
  });

  it('should answer UnknownOperationException when X-Amz-Target names an unknown operation', async () => {
    const res = await rawKms(platform, { target: 'DestroyEverything', body: {} });
    await expectAwsError(res, 400, 'UnknownOperationException');
  });

  it('should answer UnknownOperationException when X-Amz-Target is missing', async () => {
    const res = await rawKms(platform, {
      target: null,
      body: { KeyId: keyId, Plaintext: b64(randomBytes(8)) },
    });
    await expectAwsError(res, 400, 'UnknownOperationException');
  });

  it('should answer RequestEntityTooLargeException (413) when the body is over 1 MiB', async () => {
    const filler = 'A'.repeat(1024 * 1024 + 4);
    const res = await rawKms(platform, {
      target: 'Encrypt',
      rawBody: JSON.stringify({ KeyId: keyId, Plaintext: filler }),
    });
    await expectAwsError(res, 413, 'RequestEntityTooLargeException');
  });
});

describe('content types', () => {
  it.each([['application/json'], ['application/json; charset=utf-8'], ['text/plain']])(
    'should encrypt when a correctly signed Encrypt is sent with content-type %s',
    async (contentType) => {
      const res = await rawKms(platform, {
        target: 'Encrypt',
        body: { KeyId: keyId, Plaintext: b64(randomBytes(16)), EncryptionContext: CONTEXT },
        contentType,
      });
      expect({ status: res.status, type: res.json?.['__type'] }).toEqual({ status: 200, type: undefined });
      expect(typeof res.json?.['CiphertextBlob']).toBe('string');
      expect(res.json?.['KeyId']).toBe(keyArn);
    },
  );

  it('should answer InvalidSignatureException when a JSON-typed body differs from the signed one', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: { Limit: 1 },
      bodyAfterSigning: JSON.stringify({ Limit: 2 }),
      contentType: 'application/json',
    });
    await expectAwsError(res, 400, 'InvalidSignatureException');
  });
});

describe('paths other than the KMS endpoint', () => {
  it('should answer /health with its own JSON and status when the platform is up', async () => {
    const res = await fetch(new URL('/health', platform.endpoint));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('should answer 404 without the AWS error shape when the route is unknown', async () => {
    const res = await fetch(new URL('/no-such-route', platform.endpoint));
    expect(res.status).toBe(404);
    expect(await res.json()).not.toHaveProperty('__type');
    await expectStillServing();
  });

  it('should answer UnknownOperationException (404) when the KMS endpoint is called with GET', async () => {
    const res = await fetch(platform.endpoint);
    const json = (await res.json()) as Record<string, unknown>;
    expect({ status: res.status, type: json['__type'] }).toEqual({
      status: 404,
      type: 'UnknownOperationException',
    });
  });
});

describe('authentication', () => {
  it('should answer MissingAuthenticationTokenException when the Authorization header is missing', async () => {
    const res = await rawKms(platform, { target: 'ListKeys', body: {}, sign: false });
    await expectAwsError(res, 400, 'MissingAuthenticationTokenException');
  });

  it('should answer InvalidSignatureException when the signature is wrong', async () => {
    const res = await rawKms(platform, { target: 'ListKeys', body: {}, tamperSignature: true });
    await expectAwsError(res, 400, 'InvalidSignatureException');
  });

  it('should answer InvalidSignatureException when the request is signed with the wrong secret key', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: {},
      credentials: { ...platform.credentials, secretAccessKey: 'not-the-secret' },
    });
    await expectAwsError(res, 400, 'InvalidSignatureException');
  });

  it('should answer InvalidSignatureException when the body differs from the signed one', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: { Limit: 1 },
      bodyAfterSigning: JSON.stringify({ Limit: 2 }),
    });
    await expectAwsError(res, 400, 'InvalidSignatureException');
  });

  it('should answer UnrecognizedClientException when the access key is unknown', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: {},
      credentials: {
        ...platform.credentials,
        accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(),
      },
    });
    await expectAwsError(res, 400, 'UnrecognizedClientException');
  });

  it('should answer InvalidSignatureException "Signature expired" when the request is dated 16 minutes in the past', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: {},
      signingDate: new Date(Date.now() - 16 * 60_000),
    });
    await expectAwsError(res, 400, 'InvalidSignatureException', /^Signature expired/);
  });

  it('should answer InvalidSignatureException "Signature not yet current" when the request is dated 16 minutes in the future', async () => {
    const res = await rawKms(platform, {
      target: 'ListKeys',
      body: {},
      signingDate: new Date(Date.now() + 16 * 60_000),
    });
    await expectAwsError(res, 400, 'InvalidSignatureException', /^Signature not yet current/);
  });
});

describe('plaintext and encryption context', () => {
  it('should answer ValidationException when the plaintext is 4097 bytes', async () => {
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: keyId, Plaintext: b64(randomBytes(4097)) },
    });
    await expectAwsError(res, 400, 'ValidationException');
    await expectSdkError(
      kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(4097) })),
      'ValidationException',
    );
  });

  it('should answer ValidationException when the plaintext is empty', async () => {
    const res = await rawKms(platform, { target: 'Encrypt', body: { KeyId: keyId, Plaintext: '' } });
    await expectAwsError(res, 400, 'ValidationException');
  });

  it('should answer ValidationException when the plaintext is missing', async () => {
    const res = await rawKms(platform, { target: 'Encrypt', body: { KeyId: keyId } });
    await expectAwsError(res, 400, 'ValidationException');
  });

  it('should answer SerializationException when the plaintext is not valid base64', async () => {
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: keyId, Plaintext: 'not*base64!' },
    });
    await expectAwsError(res, 400, 'SerializationException');
  });

  it.each([
    ['a number', { n: 1 }],
    ['a boolean', { b: true }],
    ['null', { z: null }],
    ['an object', { o: { nested: 'x' } }],
    ['a list', { l: ['x'] }],
  ])('should answer SerializationException when an encryption context value is %s', async (_, context) => {
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: keyId, Plaintext: b64(randomBytes(8)), EncryptionContext: context },
    });
    await expectAwsError(res, 400, 'SerializationException');
  });
});

describe('encryption context that is not well-formed Unicode', () => {
  /** The gateway's own refusal (the coordinator refuses such a context too, but only after a NATS hop). */
  const GATEWAY_UNICODE_REFUSAL = /'encryptionContext' must be well-formed Unicode/;

  it.each([
    ['a key is a lone high surrogate', { '\ud800': 'v' }],
    ['a key holds a lone low surrogate', { 'a\udc00b': 'v' }],
    ['a value is a lone high surrogate', { purpose: '\ud800' }],
    ['a value holds a reversed surrogate pair', { purpose: 'x\udc00\ud800' }],
  ])('should answer ValidationException when %s', async (_, context) => {
    const requests = [
      {
        target: 'Encrypt',
        body: { KeyId: keyId, Plaintext: b64(randomBytes(8)), EncryptionContext: context },
      },
      { target: 'GenerateDataKey', body: { KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context } },
    ];
    for (const { target, body } of requests) {
      const rawBody = JSON.stringify(body);
      // JSON.stringify escapes a lone surrogate, so the wire carries e.g. "\ud800" as six ASCII characters.
      expect(rawBody).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
      const res = await rawKms(platform, { target, rawBody });
      await expectAwsError(res, 400, 'ValidationException', GATEWAY_UNICODE_REFUSAL);
    }
  });

  it('should answer ValidationException when Decrypt binds a lone surrogate into the context', async () => {
    const res = await rawKms(platform, {
      target: 'Decrypt',
      body: { CiphertextBlob: b64(blob), EncryptionContext: { purpose: '\udfff' } },
    });
    await expectAwsError(res, 400, 'ValidationException', GATEWAY_UNICODE_REFUSAL);
  });

  it('should encrypt and decrypt when the context holds a surrogate pair', async () => {
    const context = { '\u{1F511}': 'key \u{1F512}' };
    const enc = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(8), EncryptionContext: context }),
    );
    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
    );
    expect(dec.KeyId).toBe(keyArn);
  });
});

describe('key ids', () => {
  it('should answer NotFoundException when the key id is a well-formed UUID of no key', async () => {
    const unknown = randomUUID();
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: unknown, Plaintext: b64(randomBytes(8)) },
    });
    await expectAwsError(res, 400, 'NotFoundException');
    await expectSdkError(
      kms.send(new EncryptCommand({ KeyId: unknown, Plaintext: randomBytes(8) })),
      'NotFoundException',
    );
  });

  it('should answer NotFoundException when the key ARN of the own account names no key', async () => {
    const arn = keyArn.replace(keyId, randomUUID());
    await expectSdkError(
      kms.send(new EncryptCommand({ KeyId: arn, Plaintext: randomBytes(8) })),
      'NotFoundException',
    );
  });

  it.each([
    ['not-a-key-id'],
    ['1234'],
    [`${'0'.repeat(8)}-zzzz-0000-0000-${'0'.repeat(12)}`],
    ['arn:aws:kms:us-east-1:123:key'],
  ])('should answer NotFoundException when the key id is malformed (%s)', async (bad) => {
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: bad, Plaintext: b64(randomBytes(8)) },
    });
    await expectAwsError(res, 400, 'NotFoundException');
  });

  it('should answer NotFoundException when the ARN of an existing key names another region', async () => {
    const region = platform.credentials.region === 'eu-west-1' ? 'us-west-2' : 'eu-west-1';
    const arn = keyArn.replace(`:${platform.credentials.region}:`, `:${region}:`);
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: arn, Plaintext: b64(randomBytes(8)) },
    });
    await expectAwsError(res, 400, 'NotFoundException');
  });

  it('should answer AccessDeniedException when the key ARN names another 12-digit account', async () => {
    const other = platform.credentials.accountId === '111122223333' ? '444455556666' : '111122223333';
    const arn = `arn:aws:kms:${platform.credentials.region}:${other}:key/${randomUUID()}`;
    const res = await rawKms(platform, {
      target: 'Encrypt',
      body: { KeyId: arn, Plaintext: b64(randomBytes(8)) },
    });
    await expectAwsError(res, 400, 'AccessDeniedException');
    await expectSdkError(
      kms.send(new EncryptCommand({ KeyId: arn, Plaintext: randomBytes(8) })),
      'AccessDeniedException',
    );
  });

  it('should answer AccessDeniedException when the ARN of an existing key is rewritten to another account', async () => {
    const other = platform.credentials.accountId === '111122223333' ? '444455556666' : '111122223333';
    const arn = keyArn.replace(`:${platform.credentials.accountId}:`, `:${other}:`);
    await expectSdkError(
      kms.send(new EncryptCommand({ KeyId: arn, Plaintext: randomBytes(8) })),
      'AccessDeniedException',
    );
  });
});

describe('ciphertext blobs', () => {
  it('should accept the unmodified blob (control for the negatives below)', async () => {
    const res = await decryptRaw(blob);
    expect(res.status).toBe(200);
    expect(Buffer.from(String(res.json?.['Plaintext']), 'base64').length).toBe(32);
  });

  it.each([[1], [20], [21], [33], [48], [49], [80]])(
    'should answer InvalidCiphertextException when the blob is truncated to %i bytes',
    async (length) => {
      await expectAwsError(await decryptRaw(blob.subarray(0, length)), 400, 'InvalidCiphertextException');
    },
  );

  it.each([[1], [16], [100]])(
    'should answer InvalidCiphertextException when the blob is extended by %i bytes',
    async (extra) => {
      await expectAwsError(
        await decryptRaw(Buffer.concat([blob, randomBytes(extra)])),
        400,
        'InvalidCiphertextException',
      );
    },
  );

  it('should answer InvalidCiphertextException when the blob is random bytes', async () => {
    await expectAwsError(await decryptRaw(randomBytes(blob.length)), 400, 'InvalidCiphertextException');
  });

  it('should answer InvalidCiphertextException when a real header is followed by random bytes', async () => {
    await expectAwsError(
      await decryptRaw(Buffer.concat([blob.subarray(0, 21), randomBytes(blob.length - 21)])),
      400,
      'InvalidCiphertextException',
    );
  });

  it('should answer IncorrectKeyException when Decrypt names another key than the one in the blob', async () => {
    const other = await kms.send(new CreateKeyCommand({ Description: 'not the blob key' }));
    const res = await rawKms(platform, {
      target: 'Decrypt',
      body: { CiphertextBlob: b64(blob), EncryptionContext: CONTEXT, KeyId: other.KeyMetadata!.KeyId },
    });
    await expectAwsError(res, 400, 'IncorrectKeyException');
  });

  it('should throw InvalidCiphertextException from the sdk when the blob is truncated', async () => {
    await expectSdkError(
      kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 60), EncryptionContext: CONTEXT })),
      'InvalidCiphertextException',
    );
  });

  /* Bit positions across every field: version, key id, key version, IV, ciphertext and tag. */
  const FLIPS: Array<[string, number, number]> = [
    ['version', 0, 0],
    ['version', 0, 7],
    ['key id', 1, 3],
    ['key id', 8, 6],
    ['key id', 16, 0],
    ['key version', 17, 7],
    ['key version', 20, 0],
    ['key version', 20, 1],
    ['iv', 21, 0],
    ['iv', 27, 5],
    ['iv', 32, 7],
    ['ciphertext', 33, 0],
    ['ciphertext', 48, 3],
    ['ciphertext', 64, 7],
    ['tag', 65, 0],
    ['tag', 72, 4],
    ['tag', 80, 7],
  ];
  it.each(FLIPS)(
    'should answer InvalidCiphertextException and no plaintext when a bit of the %s is flipped (byte %i, bit %i)',
    async (_, byte, bit) => {
      const flipped = Buffer.from(blob);
      flipped[byte]! ^= 1 << bit;
      await expectAwsError(await decryptRaw(flipped), 400, 'InvalidCiphertextException');
    },
  );
});

describe('data keys and random bytes', () => {
  it('should answer ValidationException when GenerateDataKey has both NumberOfBytes and KeySpec', async () => {
    const res = await rawKms(platform, {
      target: 'GenerateDataKey',
      body: { KeyId: keyId, NumberOfBytes: 32, KeySpec: 'AES_256' },
    });
    await expectAwsError(res, 400, 'ValidationException');
    await expectSdkError(
      kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, KeySpec: 'AES_256' })),
      'ValidationException',
    );
  });

  it('should answer ValidationException when GenerateDataKey has neither NumberOfBytes nor KeySpec', async () => {
    const res = await rawKms(platform, { target: 'GenerateDataKey', body: { KeyId: keyId } });
    await expectAwsError(res, 400, 'ValidationException');
    await expectSdkError(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException');
  });

  it.each([[0], [1025], [-1]])(
    'should answer ValidationException when GenerateDataKey has NumberOfBytes %i',
    async (n) => {
      const res = await rawKms(platform, {
        target: 'GenerateDataKey',
        body: { KeyId: keyId, NumberOfBytes: n },
      });
      await expectAwsError(res, 400, 'ValidationException');
    },
  );

  it.each([[0], [1025]])(
    'should answer ValidationException when GenerateRandom has NumberOfBytes %i',
    async (n) => {
      const res = await rawKms(platform, { target: 'GenerateRandom', body: { NumberOfBytes: n } });
      await expectAwsError(res, 400, 'ValidationException');
    },
  );

  it('should answer ValidationException when GenerateDataKey has an unknown KeySpec', async () => {
    const res = await rawKms(platform, {
      target: 'GenerateDataKey',
      body: { KeyId: keyId, KeySpec: 'AES_512' },
    });
    await expectAwsError(res, 400, 'ValidationException');
  });

  it('should answer ValidationException when GenerateRandom has no NumberOfBytes', async () => {
    const res = await rawKms(platform, { target: 'GenerateRandom', body: {} });
    await expectAwsError(res, 400, 'ValidationException');
  });

  it('should answer SerializationException when NumberOfBytes is a string', async () => {
    const res = await rawKms(platform, { target: 'GenerateRandom', body: { NumberOfBytes: '32' } });
    await expectAwsError(res, 400, 'SerializationException');
  });
});
