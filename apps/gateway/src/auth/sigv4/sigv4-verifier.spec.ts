import { createHash } from 'node:crypto';

import { jest } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import {
  INVALID_TOKEN_MESSAGE,
  MISSING_TOKEN_MESSAGE,
  SIGNATURE_MISMATCH_MESSAGE,
  SigV4Error,
  type SigV4ErrorType,
} from './errors/sigv4.error.js';
import { awsCliEncrypt, recordedRequests, sdkV3Encrypt } from './recorded-requests.fixtures.js';
import {
  type SigV4Request,
  type SigV4Secret,
  SigV4Verifier,
  type SigV4VerifierOptions,
} from './sigv4-verifier.js';

const REGION = 'us-east-1';
const SERVICE = 'kms';
const HOST = '127.0.0.1:8080';
const SIGNED_AT = Date.UTC(2026, 10, 29, 12, 0, 0);
const MINUTE = 60_000;

const ACCESS_KEY_ID = 'AKIDTESTEXAMPLE';
const SECRET = 'testSecretKeyExample/K7MDENG+bPxRfiCYEXAMPLE';
const TEMP_ACCESS_KEY_ID = 'ASIATESTEXAMPLE';
const TEMP_SECRET = 'tempSecretKeyExample0123456789abcdefghij';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjTESTSESSION/token+value==';

const BODY = Buffer.from(
  JSON.stringify({ KeyId: 'alias/app', Plaintext: Buffer.from('hello').toString('base64') }),
);

/** sha256 for the client-side signer, as the AWS SDK v3 configures it on Node. */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

interface SignOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  service?: string;
  signedAt?: number;
  body?: Buffer;
  target?: string;
  query?: Record<string, string | string[]>;
  /** Headers besides the KMS ones, sent and (unless unsigned) signed. */
  extraHeaders?: Record<string, string>;
  /** Header names the signer must not sign (sent anyway). */
  unsigned?: string[];
  /** Header names the signer must sign even though SignatureV4 skips them by default (user-agent). */
  alsoSign?: string[];
  /** false: no x-amz-content-sha256, as botocore and applyChecksum: false. */
  contentSha256?: boolean;
}

/** Signs a KMS request client-side with @smithy/signature-v4, as the AWS SDK v3 for JavaScript does. */
async function signAsSdkV3(options: SignOptions = {}): Promise<SigV4Request> {
  const body = options.body ?? BODY;
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': options.target ?? 'TrentService.Encrypt',
    'content-length': String(body.length),
    'x-amz-user-agent': 'aws-sdk-js/3.1160.0',
    'user-agent': 'aws-sdk-js/3.1160.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/kms#3.1160.0',
    host: HOST,
    'amz-sdk-invocation-id': '11860753-540b-4945-88f3-1e19f0f5ba74',
    'amz-sdk-request': 'attempt=1; max=3',
    ...options.extraHeaders,
  };
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? ACCESS_KEY_ID,
      secretAccessKey: options.secretAccessKey ?? SECRET,
      sessionToken: options.sessionToken,
    },
    region: options.region ?? REGION,
    service: options.service ?? SERVICE,
    sha256: Sha256,
    applyChecksum: options.contentSha256 ?? true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: '/',
      query: options.query,
      headers,
      body,
    }),
    {
      signingDate: new Date(options.signedAt ?? SIGNED_AT),
      unsignableHeaders: new Set(options.unsigned ?? []),
      signableHeaders: options.alsoSign === undefined ? undefined : new Set(options.alsoSign),
    },
  );
  return {
    method: signed.method,
    path: signed.path,
    query: options.query,
    headers: { ...(signed.headers as Record<string, string>) },
    body,
  };
}

/**
 * Signs as botocore (aws cli) does for KMS: SignedHeaders content-type;host;x-amz-date;x-amz-target, no
 * x-amz-content-sha256, user-agent, accept-encoding and content-length sent but not signed.
 */
async function signAsBotocore(options: SignOptions = {}): Promise<SigV4Request> {
  const body = options.body ?? BODY;
  const signed = await signAsSdkV3({
    ...options,
    contentSha256: false,
    unsigned: ['content-length', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request'],
  });
  const headers = signed.headers as Record<string, string>;
  delete headers['x-amz-user-agent'];
  delete headers['amz-sdk-invocation-id'];
  delete headers['amz-sdk-request'];
  headers['user-agent'] =
    'aws-cli/2.9.19 Python/3.11.2 Linux source/x86_64.debian.12 prompt/off command/kms.encrypt';
  headers['accept-encoding'] = 'identity';
  headers['content-length'] = String(body.length);
  expect(headers['authorization']).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-target,');
  return signed;
}

const secrets: Record<string, SigV4Secret> = {
  [ACCESS_KEY_ID]: { secretAccessKey: SECRET },
  [TEMP_ACCESS_KEY_ID]: { secretAccessKey: TEMP_SECRET, sessionToken: SESSION_TOKEN },
  ...Object.fromEntries(recordedRequests.map((r) => [r.accessKeyId, r.secret])),
};

function newVerifier(overrides: Partial<SigV4VerifierOptions> = {}): SigV4Verifier {
  return new SigV4Verifier({
    region: REGION,
    service: SERVICE,
    now: () => SIGNED_AT,
    lookupSecret: async (accessKeyId) => secrets[accessKeyId],
    ...overrides,
  });
}

async function expectSigV4Error(
  promise: Promise<unknown>,
  type: SigV4ErrorType,
  message?: string | RegExp,
): Promise<SigV4Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SigV4Error);
  const error = caught as SigV4Error;
  expect(error.type).toBe(type);
  expect(error.httpStatus).toBe(400);
  if (message !== undefined) {
    expect(error.message).toMatch(message);
  }
  for (const secret of [SECRET, TEMP_SECRET, SESSION_TOKEN]) {
    expect(error.message).not.toContain(secret);
  }
  return error;
}

function withHeader(req: SigV4Request, name: string, value: string | string[] | undefined): SigV4Request {
  return { ...req, headers: { ...req.headers, [name]: value } };
}

function signatureOf(req: SigV4Request): string {
  return /Signature=([0-9a-f]+)/.exec(String(req.headers['authorization']))?.[1] as string;
}

describe('SigV4Verifier', () => {
  describe('accepts real clients', () => {
    it.each(recordedRequests.map((r) => [r.client, r] as const))(
      'should accept the request recorded from %s when it is replayed within the skew',
      async (_client, recorded) => {
        const verifier = newVerifier({ now: () => recorded.at + 5_000 });
        await expect(verifier.verify(recorded.request)).resolves.toEqual({
          accessKeyId: recorded.accessKeyId,
        });
      },
    );

    it('should accept when signed as the AWS SDK v3 signs KMS requests', async () => {
      const req = await signAsSdkV3();
      expect(req.headers['authorization']).toContain(
        'SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;' +
          'x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent,',
      );
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
    });

    it('should accept when signed as botocore and the aws cli sign KMS requests', async () => {
      await expect(newVerifier().verify(await signAsBotocore())).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
    });

    it('should accept when the client also signed user-agent', async () => {
      const req = await signAsSdkV3({ alsoSign: ['user-agent'] });
      expect(req.headers['authorization']).toMatch(/SignedHeaders=[^,]*;user-agent;/);
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
    });

    it('should accept when the client sent no x-amz-content-sha256', async () => {
      const req = await signAsSdkV3({ contentSha256: false });
      expect(req.headers['x-amz-content-sha256']).toBeUndefined();
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
    });

    it('should accept when the body is empty', async () => {
      await expect(newVerifier().verify(await signAsSdkV3({ body: Buffer.alloc(0) }))).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
      await expect(newVerifier().verify(await signAsBotocore({ body: Buffer.alloc(0) }))).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
    });

    it('should accept when temporary credentials sign their session token', async () => {
      const req = await signAsSdkV3({
        accessKeyId: TEMP_ACCESS_KEY_ID,
        secretAccessKey: TEMP_SECRET,
        sessionToken: SESSION_TOKEN,
      });
      expect(req.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: TEMP_ACCESS_KEY_ID });
    });

    it('should accept when the session token is sent but not signed', async () => {
      const req = await signAsSdkV3({ accessKeyId: TEMP_ACCESS_KEY_ID, secretAccessKey: TEMP_SECRET });
      await expect(
        newVerifier().verify(withHeader(req, 'x-amz-security-token', SESSION_TOKEN)),
      ).resolves.toEqual({
        accessKeyId: TEMP_ACCESS_KEY_ID,
      });
    });

    it('should accept when header names arrive in mixed case', async () => {
      const req = await signAsBotocore();
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]),
      );
      expect(headers['X-Amz-Date']).toBeDefined();
      await expect(newVerifier().verify({ ...req, headers })).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
    });

    it('should accept when an unsigned header is added after signing', async () => {
      const req = withHeader(await signAsSdkV3(), 'x-forwarded-for', '203.0.113.7');
      await expect(newVerifier().verify(withHeader(req, 'x-amzn-trace-id', 'Root=1-abc'))).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
    });

    it('should accept when a signed header value carries extra spaces', async () => {
      const req = await signAsSdkV3({ extraHeaders: { 'x-custom': '  a   b\tc  ' } });
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
      /* A proxy that re-spaces the value does not change its canonical form ("a b c"). */
      await expect(newVerifier().verify(withHeader(req, 'x-custom', 'a b  c'))).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'x-custom', 'a bc')),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });

    it('should accept when a signed header arrives as several values', async () => {
      const req = await signAsSdkV3({ extraHeaders: { 'x-custom': 'one,two' } });
      await expect(newVerifier().verify(withHeader(req, 'x-custom', [' one', 'two ']))).resolves.toEqual({
        accessKeyId: ACCESS_KEY_ID,
      });
    });

    it('should accept when the query string was signed', async () => {
      const req = await signAsSdkV3({ query: { b: 'x y', a: ['2', '1'] } });
      await expect(newVerifier().verify(req)).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
      await expectSigV4Error(
        newVerifier().verify({ ...req, query: { b: 'x y', a: '1' } }),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });
  });

  describe('refuses incomplete requests', () => {
    it('should answer MissingAuthenticationTokenException when there is no Authorization header', async () => {
      const req = withHeader(await signAsSdkV3(), 'authorization', undefined);
      await expectSigV4Error(
        newVerifier().verify(req),
        'MissingAuthenticationTokenException',
        MISSING_TOKEN_MESSAGE,
      );
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'authorization', '  ')),
        'MissingAuthenticationTokenException',
      );
    });

    it('should answer IncompleteSignatureException when the Authorization header is malformed', async () => {
      const req = await signAsSdkV3();
      const broken = String(req.headers['authorization']).replace('SignedHeaders=', 'Signed=');
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'authorization', broken)),
        'IncompleteSignatureException',
      );
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'authorization', [broken, broken])),
        'IncompleteSignatureException',
      );
    });

    it('should answer IncompleteSignatureException when X-Amz-Date is missing', async () => {
      const req = withHeader(await signAsSdkV3(), 'x-amz-date', undefined);
      await expectSigV4Error(newVerifier().verify(req), 'IncompleteSignatureException', /X-Amz-Date/);
    });

    it('should answer IncompleteSignatureException when X-Amz-Date is not a valid basic ISO-8601 date', async () => {
      const req = await signAsSdkV3();
      for (const bad of ['2026-11-29T12:00:00Z', '20261129T120000', '20261131T120000Z', '20261129T250000Z']) {
        await expectSigV4Error(
          newVerifier().verify(withHeader(req, 'x-amz-date', bad)),
          'IncompleteSignatureException',
          /ISO-8601/,
        );
      }
    });

    it('should answer IncompleteSignatureException when host is not signed', async () => {
      const req = await signAsSdkV3({ unsigned: ['host'] });
      await expectSigV4Error(
        newVerifier().verify(req),
        'IncompleteSignatureException',
        "SignedHeaders must include 'host'.",
      );
    });

    it('should answer IncompleteSignatureException when x-amz-date is not signed', async () => {
      const req = await signAsSdkV3();
      const auth = String(req.headers['authorization']).replace(';x-amz-date;', ';');
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'authorization', auth)),
        'IncompleteSignatureException',
        "SignedHeaders must include 'x-amz-date'.",
      );
    });

    it('should answer IncompleteSignatureException when a signed header is missing from the request', async () => {
      const req = withHeader(await signAsSdkV3(), 'x-amz-target', undefined);
      await expectSigV4Error(newVerifier().verify(req), 'IncompleteSignatureException', /'x-amz-target'/);
    });

    it('should answer IncompleteSignatureException when the date header is signed', async () => {
      const req = await signAsSdkV3();
      const auth = String(req.headers['authorization']).replace(
        'content-type;host;',
        'content-type;date;host;',
      );
      await expectSigV4Error(
        newVerifier().verify(
          withHeader(withHeader(req, 'authorization', auth), 'date', 'Sun, 29 Nov 2026 12:00:00 GMT'),
        ),
        'IncompleteSignatureException',
        /'date'/,
      );
    });
  });

  describe('refuses unknown or mismatched credentials', () => {
    it('should answer UnrecognizedClientException when the access key is unknown', async () => {
      const req = await signAsSdkV3({ accessKeyId: 'AKIDUNKNOWN' });
      await expectSigV4Error(newVerifier().verify(req), 'UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    });

    it('should answer InvalidSignatureException naming the region when the scope has another region', async () => {
      const req = await signAsSdkV3({ region: 'eu-west-1' });
      await expectSigV4Error(
        newVerifier().verify(req),
        'InvalidSignatureException',
        "Credential should be scoped to a valid region, not 'eu-west-1'.",
      );
    });

    it('should answer InvalidSignatureException naming the service when the scope has another service', async () => {
      const req = await signAsSdkV3({ service: 'sts' });
      await expectSigV4Error(
        newVerifier().verify(req),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'kms'.",
      );
    });

    it('should answer InvalidSignatureException when the scope date is not the X-Amz-Date day', async () => {
      const signedAt = Date.UTC(2026, 10, 29, 23, 59, 50);
      const req = withHeader(await signAsSdkV3({ signedAt }), 'x-amz-date', '20261130T000010Z');
      await expectSigV4Error(
        newVerifier({ now: () => signedAt }).verify(req),
        'InvalidSignatureException',
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261129' != " +
          "'20261130', from '20261130T000010Z'.",
      );
    });

    it('should answer InvalidSignatureException when the secret is wrong', async () => {
      const req = await signAsSdkV3({ secretAccessKey: 'notTheRightSecretKeyExample0123456789abc' });
      await expectSigV4Error(
        newVerifier().verify(req),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });

    it('should answer InvalidSignatureException when one signature character is changed', async () => {
      const req = await signAsBotocore();
      const signature = signatureOf(req);
      const flipped = `${signature.slice(0, 10)}${signature[10] === '0' ? '1' : '0'}${signature.slice(11)}`;
      const auth = String(req.headers['authorization']).replace(signature, flipped);
      const error = await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'authorization', auth)),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
      expect(error.message).not.toContain(signature);
    });

    it('should answer UnrecognizedClientException when a security token is sent for a key without one', async () => {
      const req = await signAsSdkV3({ sessionToken: SESSION_TOKEN });
      await expectSigV4Error(newVerifier().verify(req), 'UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    });

    it('should answer UnrecognizedClientException when the security token differs', async () => {
      const req = await signAsSdkV3({
        accessKeyId: TEMP_ACCESS_KEY_ID,
        secretAccessKey: TEMP_SECRET,
        sessionToken: `${SESSION_TOKEN}x`,
      });
      await expectSigV4Error(newVerifier().verify(req), 'UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    });

    it('should answer UnrecognizedClientException when temporary credentials send no security token', async () => {
      const req = await signAsSdkV3({ accessKeyId: TEMP_ACCESS_KEY_ID, secretAccessKey: TEMP_SECRET });
      await expectSigV4Error(newVerifier().verify(req), 'UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    });
  });

  describe('refuses tampered requests', () => {
    const TAMPERED = Buffer.from(JSON.stringify({ KeyId: 'alias/other', Plaintext: 'aGVsbG8=' }));

    it('should answer InvalidSignatureException when the body is tampered and not covered by a hash header', async () => {
      const req = await signAsBotocore();
      await expectSigV4Error(
        newVerifier().verify({ ...req, body: TAMPERED }),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });

    it('should answer InvalidSignatureException when the body no longer matches x-amz-content-sha256', async () => {
      const req = await signAsSdkV3();
      await expectSigV4Error(
        newVerifier().verify({ ...req, body: TAMPERED }),
        'InvalidSignatureException',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
      await expectSigV4Error(
        newVerifier({ now: () => sdkV3Encrypt.at }).verify({ ...sdkV3Encrypt.request, body: TAMPERED }),
        'InvalidSignatureException',
        /x-amz-content-sha256/,
      );
    });

    it('should answer InvalidSignatureException when the body and x-amz-content-sha256 are both replaced', async () => {
      const req = await signAsSdkV3();
      const forged = withHeader(
        req,
        'x-amz-content-sha256',
        createHash('sha256').update(TAMPERED).digest('hex'),
      );
      await expectSigV4Error(
        newVerifier().verify({ ...forged, body: TAMPERED }),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });

    it('should answer InvalidSignatureException when an unsigned x-amz-content-sha256 does not match the body', async () => {
      const req = withHeader(await signAsBotocore(), 'x-amz-content-sha256', 'UNSIGNED-PAYLOAD');
      await expectSigV4Error(newVerifier().verify(req), 'InvalidSignatureException', /x-amz-content-sha256/);
    });

    it('should answer InvalidSignatureException when a signed header is tampered', async () => {
      const req = await signAsSdkV3();
      await expectSigV4Error(
        newVerifier().verify(withHeader(req, 'x-amz-target', 'TrentService.Decrypt')),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
      await expectSigV4Error(
        newVerifier({ now: () => awsCliEncrypt.at }).verify(
          withHeader(awsCliEncrypt.request, 'host', 'kms.example.com'),
        ),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
    });

    it('should answer InvalidSignatureException when the method or path is changed', async () => {
      const req = await signAsSdkV3();
      await expectSigV4Error(newVerifier().verify({ ...req, method: 'PUT' }), 'InvalidSignatureException');
      await expectSigV4Error(newVerifier().verify({ ...req, path: '/other' }), 'InvalidSignatureException');
    });
  });

  describe('clock skew', () => {
    it('should accept when X-Amz-Date is exactly 15 minutes in the past or in the future', async () => {
      const req = await signAsSdkV3();
      await expect(newVerifier({ now: () => SIGNED_AT + 15 * MINUTE }).verify(req)).resolves.toBeDefined();
      await expect(newVerifier({ now: () => SIGNED_AT - 15 * MINUTE }).verify(req)).resolves.toBeDefined();
    });

    it('should answer Signature expired when X-Amz-Date is 15 minutes and 1 second in the past', async () => {
      const req = await signAsSdkV3();
      await expectSigV4Error(
        newVerifier({ now: () => SIGNED_AT + 15 * MINUTE + 1000 }).verify(req),
        'InvalidSignatureException',
        'Signature expired: 20261129T120000Z is now earlier than 20261129T120001Z (20261129T121501Z - 15 min.)',
      );
    });

    it('should answer Signature not yet current when X-Amz-Date is 15 minutes and 1 second in the future', async () => {
      const req = await signAsSdkV3();
      await expectSigV4Error(
        newVerifier({ now: () => SIGNED_AT - 15 * MINUTE - 1000 }).verify(req),
        'InvalidSignatureException',
        'Signature not yet current: 20261129T120000Z is still later than 20261129T115959Z (20261129T114459Z + 15 min.)',
      );
    });

    it('should use the configured skew when maxSkewMs is set', async () => {
      const req = await signAsSdkV3();
      const verifier = newVerifier({ maxSkewMs: 5 * MINUTE, now: () => SIGNED_AT + 5 * MINUTE + 1000 });
      await expectSigV4Error(
        verifier.verify(req),
        'InvalidSignatureException',
        /\(20261129T120501Z - 5 min\.\)$/,
      );
    });

    it('should not look the key up when the request is refused before the signature is checked', async () => {
      const lookupSecret = jest.fn(
        async (_accessKeyId: string): Promise<SigV4Secret | undefined> => undefined,
      );
      const req = await signAsSdkV3();
      await expectSigV4Error(
        newVerifier({ lookupSecret, now: () => SIGNED_AT + 16 * MINUTE }).verify(req),
        'InvalidSignatureException',
      );
      expect(lookupSecret).not.toHaveBeenCalled();
    });
  });

  describe('signer cache', () => {
    it('should verify with the new secret when the secret of a key changes', async () => {
      const rotating: Record<string, SigV4Secret> = { [ACCESS_KEY_ID]: { secretAccessKey: SECRET } };
      const verifier = newVerifier({ lookupSecret: async (id) => rotating[id] });
      const oldReq = await signAsSdkV3();
      await expect(verifier.verify(oldReq)).resolves.toBeDefined();
      const newSecret = 'rotatedSecretKeyExample0123456789abcdefgh';
      rotating[ACCESS_KEY_ID] = { secretAccessKey: newSecret };
      await expect(verifier.verify(await signAsSdkV3({ secretAccessKey: newSecret }))).resolves.toBeDefined();
      await expectSigV4Error(
        verifier.verify(oldReq),
        'InvalidSignatureException',
        SIGNATURE_MISMATCH_MESSAGE,
      );
      expect(verifier.cachedSigners).toBe(1);
    });

    it('should keep at most maxCachedSigners signers when many keys are used', async () => {
      const many: Record<string, SigV4Secret> = {};
      for (let i = 0; i < 5; i++) {
        many[`AKIDMANY${i}`] = { secretAccessKey: `${SECRET}${i}` };
      }
      const verifier = newVerifier({ maxCachedSigners: 2, lookupSecret: async (id) => many[id] });
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 5; i++) {
          const req = await signAsSdkV3({ accessKeyId: `AKIDMANY${i}`, secretAccessKey: `${SECRET}${i}` });
          await expect(verifier.verify(req)).resolves.toEqual({ accessKeyId: `AKIDMANY${i}` });
        }
      }
      expect(verifier.cachedSigners).toBe(2);
    });

    it('should give the same answer when verifications run concurrently', async () => {
      const verifier = newVerifier();
      const good = await signAsSdkV3();
      const bad = await signAsSdkV3({ secretAccessKey: 'notTheRightSecretKeyExample0123456789abc' });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => verifier.verify(i % 2 === 0 ? good : bad)),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'fulfilled' : 'rejected')),
      );
    });
  });

  describe('preconditions', () => {
    const base = { region: REGION, service: SERVICE, lookupSecret: async () => undefined };

    it('region and service must be non-empty', () => {
      expect(() => new SigV4Verifier({ ...base, region: '' })).toThrow(
        'region and service must be non-empty',
      );
      expect(() => new SigV4Verifier({ ...base, service: '' })).toThrow(
        'region and service must be non-empty',
      );
    });

    it('maxSkewMs must be a positive number of milliseconds', () => {
      for (const maxSkewMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => new SigV4Verifier({ ...base, maxSkewMs })).toThrow(
          'maxSkewMs must be a positive number of milliseconds',
        );
      }
    });

    it('maxCachedSigners must be a positive integer', () => {
      for (const maxCachedSigners of [0, 1.5, -2]) {
        expect(() => new SigV4Verifier({ ...base, maxCachedSigners })).toThrow(
          'maxCachedSigners must be a positive integer',
        );
      }
    });
  });
});
