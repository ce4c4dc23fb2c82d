import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../libs/testing/src/fakes/index.js';
import {
  ACCOUNT_ID,
  RecordingAudit,
  RecordingReply,
  fakeHandler,
  fakeRequest,
} from './kms-http.test-helper.js';

const RANDOM = Buffer.alloc(8, 1).toString('base64');

/** Headers that count how often each one is read. */
function countingHeaders(headers: Record<string, string>): {
  headers: Record<string, string>;
  reads: Map<string | symbol, number>;
} {
  const reads = new Map<string | symbol, number>();
  const proxy = new Proxy(headers, {
    get(target, name, receiver) {
      reads.set(name, (reads.get(name) ?? 0) + 1);
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  return { headers: proxy, reads };
}

describe('KmsRequestHandler', () => {
  it('should read X-Amz-Target once when it handles a request', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: RANDOM });
    const audit = new RecordingAudit();
    const { headers, reads } = countingHeaders({ 'x-amz-target': 'TrentService.GenerateRandom' });
    const reply = new RecordingReply();
    await fakeHandler(rpc, audit).handle(
      fakeRequest({ headers, body: Buffer.from('{"NumberOfBytes":8}') }),
      reply.asFastify(),
    );
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ Plaintext: RANDOM });
    expect(reads.get('x-amz-target')).toBe(1);
  });

  it('should audit the operation and the tenant when the request succeeds', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: RANDOM });
    const audit = new RecordingAudit();
    await fakeHandler(rpc, audit).handle(
      fakeRequest({
        headers: { 'x-amz-target': 'TrentService.GenerateRandom' },
        body: Buffer.from('{"NumberOfBytes":8}'),
      }),
      new RecordingReply().asFastify(),
    );
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({
      operation: 'GenerateRandom',
      tenantId: ACCOUNT_ID,
      outcome: 'ok',
      httpStatus: 200,
    });
  });

  it.each([
    ['names an unknown operation', 'TrentService.DestroyEverything', /^Unknown operation TrentService\./],
    ['names another service', 'OtherService.Encrypt', /^Unknown operation OtherService\.Encrypt/],
    ['names an inherited property', 'TrentService.constructor', /^Unknown operation/],
    ['is missing', undefined, /^Missing X-Amz-Target header$/],
  ])(
    'should answer and audit UnknownOperationException as operation Unknown when X-Amz-Target %s',
    async (_, target, message) => {
      const rpc = new RecordingRpc();
      const audit = new RecordingAudit();
      const reply = new RecordingReply();
      await fakeHandler(rpc, audit).handle(
        fakeRequest({ headers: target === undefined ? {} : { 'x-amz-target': target } }),
        reply.asFastify(),
      );
      expect(reply.statusCode).toBe(400);
      expect(reply.json()).toMatchObject({ __type: 'UnknownOperationException' });
      expect(String((reply.json() as { message: unknown }).message)).toMatch(message);
      expect(audit.events).toEqual([
        expect.objectContaining({ operation: 'Unknown', outcome: 'UnknownOperationException' }),
      ]);
      expect(rpc.calls).toEqual([]);
    },
  );
});
