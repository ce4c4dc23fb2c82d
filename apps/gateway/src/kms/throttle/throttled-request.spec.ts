/**
 * The rate limiter inside the KMS request handler: two accounts, each with its own access key, share one handler.
 * (End to end there is one account until tenancy lands; tenant isolation is shown here.)
 */
import { Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { InMemoryAccessKeys, RecordingRpc, asFake } from '../../../../../libs/testing/src/fakes/index.js';
import type { AuditPublisher } from '@symbolon/platform';
import type { SigV4Verifier } from '../../auth/sigv4/index.js';
import type { AccessKeyRepository } from '../../tenants/access-key.repository.js';
import { RecordingAudit, RecordingReply, fakeRequest } from '../kms-http.test-helper.js';
import { KmsRequestHandler, THROTTLED_MESSAGE } from '../kms-request.handler.js';
import { RateLimiter } from './rate-limiter.js';

const ACCOUNT_A = '111122223333';
const ACCOUNT_B = '444455556666';
const KEY_A = 'AKIDTENANTA';
const KEY_B = 'AKIDTENANTB';
const RANDOM = Buffer.alloc(8, 7).toString('base64');

class ManualClock {
  t = 0;
  readonly now = (): number => this.t;
}

function setup(rps: number) {
  const keys = new InMemoryAccessKeys();
  for (const [accessKeyId, accountId] of [
    [KEY_A, ACCOUNT_A],
    [KEY_B, ACCOUNT_B],
  ] as const) {
    keys.accessKeys.set(accessKeyId, {
      accessKeyId,
      accountId,
      principalArn: `arn:aws:iam::${accountId}:user/admin`,
      secret: 'not-used',
      status: 'Active',
    });
  }
  const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: RANDOM });
  const audit = new RecordingAudit();
  const clock = new ManualClock();
  const handler = new KmsRequestHandler(
    // Accepts every request as signed by the access key it names in x-test-access-key.
    asFake<SigV4Verifier>({
      verify: async (r) => ({ accessKeyId: String(r.headers['x-test-access-key']) }),
      cachedSigners: 0,
    }),
    asFake<AccessKeyRepository>({
      findActive: (id) => keys.findActive(id),
      countAccounts: () => keys.countAccounts(),
      createAccountWithKey: async () => {
        throw new Error('not used by the handler');
      },
    }),
    asFake<RpcClient>(rpc),
    asFake<AuditPublisher>(audit),
    new RateLimiter({ cryptoRps: rps, otherRps: rps, now: clock.now }),
  );
  const send = async (accessKeyId: string, target = 'GenerateRandom'): Promise<RecordingReply> => {
    const reply = new RecordingReply();
    await handler.handle(
      fakeRequest({
        headers: { 'x-amz-target': `TrentService.${target}`, 'x-test-access-key': accessKeyId },
        body: Buffer.from('{"NumberOfBytes":8}'),
      }),
      reply.asFastify(),
    );
    return reply;
  };
  return { rpc, audit, clock, send };
}

describe('KmsRequestHandler rate limits', () => {
  it('should answer ThrottlingException with HTTP 400 in the AWS error shape when the account exceeds its rate', async () => {
    const { send } = setup(2);
    expect((await send(KEY_A)).statusCode).toBe(200);
    expect((await send(KEY_A)).statusCode).toBe(200);
    const reply = await send(KEY_A);
    expect(reply.statusCode).toBe(400);
    expect(reply.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(reply.headers['x-amzn-requestid']).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(reply.json()).toEqual({ __type: 'ThrottlingException', message: THROTTLED_MESSAGE });
  });

  it('should not call the platform for a request when it is throttled', async () => {
    const { rpc, send } = setup(1);
    await send(KEY_A);
    await send(KEY_A);
    await send(KEY_A);
    expect(rpc.to(Subjects.keys.generateRandom)).toHaveLength(1);
  });

  it('should audit a throttled request with its tenant, principal and operation when it is refused', async () => {
    const { audit, send } = setup(1);
    await send(KEY_A);
    await send(KEY_A);
    expect(audit.events).toHaveLength(2);
    expect(audit.events[1]).toMatchObject({
      operation: 'GenerateRandom',
      tenantId: ACCOUNT_A,
      principal: `arn:aws:iam::${ACCOUNT_A}:user/admin`,
      accessKeyId: KEY_A,
      outcome: 'ThrottlingException',
      httpStatus: 400,
    });
  });

  it("should serve another account at its full rate when one account's flood is being throttled", async () => {
    const { rpc, send } = setup(3);
    const flood = await Promise.all(Array.from({ length: 50 }, () => send(KEY_A)));
    expect(flood.filter((r) => r.statusCode === 200)).toHaveLength(3);
    const other = await Promise.all(Array.from({ length: 3 }, () => send(KEY_B)));
    expect(other.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const tenants = rpc.to(Subjects.keys.generateRandom).map((c) => c.payload['tenantId']);
    expect(tenants.filter((t) => t === ACCOUNT_B)).toHaveLength(3);
  });

  it('should serve the account again when its bucket has refilled', async () => {
    const { clock, send } = setup(2);
    await send(KEY_A);
    await send(KEY_A);
    expect((await send(KEY_A)).statusCode).toBe(400);
    clock.t += 500;
    expect((await send(KEY_A)).statusCode).toBe(200);
    expect((await send(KEY_A)).statusCode).toBe(400);
  });

  it('should throttle a flood of unknown operations in a bucket of its own when the account sends one', async () => {
    const { send } = setup(1);
    expect((await send(KEY_A, 'NoSuchThing')).json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect((await send(KEY_A, 'NoSuchThing')).json()).toMatchObject({ __type: 'ThrottlingException' });
    expect((await send(KEY_A)).statusCode).toBe(200);
  });

  it('should not spend a token when the caller is not authenticated', async () => {
    const { send } = setup(1);
    expect((await send('AKIDUNKNOWN')).json()).toMatchObject({ __type: 'UnrecognizedClientException' });
    expect((await send(KEY_A)).statusCode).toBe(200);
  });
});
