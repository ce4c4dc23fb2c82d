import { afterEach, jest } from '@jest/globals';
import { ErrorCodes, KmsError, type S3SigningKeyReply, type S3SigningKeyRequest } from '@symbolon/contracts';

import { S3Error } from '../s3/errors.js';
import { SigningKeys, type SigningKeySource } from './signing-keys.js';

const KEY = Buffer.alloc(32, 7);
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** A source that answers every request with the same caller, or fails with `failure`; records what it was asked. */
function fakeSource(failure?: unknown): { source: SigningKeySource; asked: S3SigningKeyRequest[] } {
  const asked: S3SigningKeyRequest[] = [];
  const source: SigningKeySource = async (req) => {
    asked.push(req);
    if (failure !== undefined) throw failure;
    const reply: S3SigningKeyReply = {
      signingKey: KEY.toString('base64'),
      accountId: '111122223333',
      principalArn: 'arn:aws:iam::111122223333:user/alice',
    };
    return reply;
  };
  return { source, asked };
}

async function s3ErrorOf(p: Promise<unknown>): Promise<S3Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('SigningKeys', () => {
  it('should answer InvalidAccessKeyId without asking when the id is not of the form access key ids have', async () => {
    let asked = 0;
    const keys = new SigningKeys(async () => {
      asked++;
      throw new Error('not asked');
    });
    for (const id of ['AKIDSHORT', 'akidlowercase0000000', 'AKID-WITH-DASH-00000', 'A'.repeat(129)]) {
      const e = await s3ErrorOf(keys.caller(id, '20261129', 'us-east-1'));
      expect({ code: e.code, status: e.status }).toEqual({ code: 'InvalidAccessKeyId', status: 403 });
    }
    expect(asked).toBe(0);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('should ask the source with the access key, day, region and a request id when the key is not cached', async () => {
    const { source, asked } = fakeSource();
    const caller = await new SigningKeys(source).caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    expect(caller).toEqual({
      accountId: '111122223333',
      principalArn: 'arn:aws:iam::111122223333:user/alice',
      signingKey: KEY,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accessKeyId: 'AKIDEXAMPLE000000000',
      date: '20261129',
      region: 'us-east-1',
    });
    expect(asked[0]).not.toHaveProperty('sessionToken');
  });

  it('should pass the session token on when the request carried one', async () => {
    const { source, asked } = fakeSource();
    await new SigningKeys(source).caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1', 'token-1');
    expect(asked[0]).toMatchObject({ sessionToken: 'token-1' });
  });

  it('should answer from the cache when the same key, day, region and token are asked again', async () => {
    const { source, asked } = fakeSource();
    const keys = new SigningKeys(source);
    const first = await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    const second = await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    expect(second).toEqual(first);
    expect(asked).toHaveLength(1);
  });

  it('should ask again when the day, the region, the key or the session token differs', async () => {
    const { source, asked } = fakeSource();
    const keys = new SigningKeys(source);
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    await keys.caller('AKIDEXAMPLE000000000', '20261130', 'us-east-1');
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'eu-west-1');
    await keys.caller('AKIDOTHER00000000000', '20261129', 'us-east-1');
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1', 'token');
    expect(asked).toHaveLength(5);
  });

  it('should ask again when the cached key is older than the TTL', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') });
    const { source, asked } = fakeSource();
    const keys = new SigningKeys(source, 60_000);
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    jest.setSystemTime(new Date('2026-11-29T12:00:59Z'));
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    expect(asked).toHaveLength(1);
    jest.setSystemTime(new Date('2026-11-29T12:01:00.001Z'));
    await keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1');
    expect(asked).toHaveLength(2);
  });

  it('should evict the oldest key when more keys than the bound are asked', async () => {
    const { source, asked } = fakeSource();
    const keys = new SigningKeys(source, 60_000, 2);
    await keys.caller('AKIDONE0000000000000', '20261129', 'us-east-1');
    await keys.caller('AKIDTWO0000000000000', '20261129', 'us-east-1');
    await keys.caller('AKIDTHREE00000000000', '20261129', 'us-east-1');
    expect(asked).toHaveLength(3);
    await keys.caller('AKIDTHREE00000000000', '20261129', 'us-east-1');
    await keys.caller('AKIDTWO0000000000000', '20261129', 'us-east-1');
    expect(asked).toHaveLength(3);
    await keys.caller('AKIDONE0000000000000', '20261129', 'us-east-1');
    expect(asked).toHaveLength(4);
  });

  it('should answer InvalidAccessKeyId when the gateway does not know the key', async () => {
    const { source } = fakeSource(
      new KmsError(ErrorCodes.NOT_FOUND, 'The access key id is not known or not active.'),
    );
    const e = await s3ErrorOf(
      new SigningKeys(source).caller('AKIDUNKNOWN000000000', '20261129', 'us-east-1'),
    );
    expect(e.code).toBe('InvalidAccessKeyId');
    expect(e.status).toBe(403);
    expect(e.message).toBe('The AWS Access Key Id you provided does not exist in our records.');
  });

  it('should answer AuthorizationHeaderMalformed when the gateway refuses the day or region', async () => {
    const { source } = fakeSource(
      new KmsError(ErrorCodes.VALIDATION, "Credential date 20261101 is not today's."),
    );
    const e = await s3ErrorOf(
      new SigningKeys(source).caller('AKIDEXAMPLE000000000', '20261101', 'eu-west-1'),
    );
    expect(e.code).toBe('AuthorizationHeaderMalformed');
    expect(e.status).toBe(400);
    expect(e.message).toContain('eu-west-1');
  });

  it.each([
    ['an INTERNAL KmsError', new KmsError(ErrorCodes.INTERNAL, 'request failed')],
    ['a DEPENDENCY_TIMEOUT KmsError', new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no reply in time')],
    ['a plain Error', new Error('socket closed')],
    ['a thrown string', 'boom'],
  ])('should answer ServiceUnavailable when the source fails with %s', async (_name, failure) => {
    const { source } = fakeSource(failure);
    const e = await s3ErrorOf(
      new SigningKeys(source).caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1'),
    );
    expect(e.code).toBe('ServiceUnavailable');
    expect(e.status).toBe(503);
    expect(e.message).toBe('The access key cannot be checked now; retry.');
  });

  it.each([ErrorCodes.NOT_FOUND, ErrorCodes.VALIDATION, ErrorCodes.INTERNAL])(
    'should put neither the secret nor the source message in the error when the source fails with %s',
    async (code) => {
      const { source } = fakeSource(new KmsError(code, `secret ${SECRET} key ${KEY.toString('base64')}`));
      const e = await s3ErrorOf(
        new SigningKeys(source).caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1'),
      );
      const shown = JSON.stringify({ message: e.message, fields: e.fields, resource: e.resource });
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(KEY.toString('base64'));
      expect(shown).not.toContain('secret');
    },
  );

  it('should ask again when the previous answer was an error', async () => {
    let fail = true;
    const asked: string[] = [];
    const keys = new SigningKeys(async (req) => {
      asked.push(req.accessKeyId);
      if (fail) throw new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no reply in time');
      return { signingKey: KEY.toString('base64'), accountId: '111122223333', principalArn: 'arn' };
    });
    await expect(keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1')).rejects.toBeInstanceOf(
      S3Error,
    );
    fail = false;
    await expect(keys.caller('AKIDEXAMPLE000000000', '20261129', 'us-east-1')).resolves.toMatchObject({
      accountId: '111122223333',
    });
    expect(asked).toHaveLength(2);
  });
});
