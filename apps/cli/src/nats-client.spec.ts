import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PermissionViolationError } from '@nats-io/transport-node';
import { createUser } from '@nats-io/nkeys';
import { inboxPrefix } from '@symbolon/platform';

import { FakeCoordinator, envelope } from './domain.test-helper.js';
import {
  OPERATOR_INBOX_PREFIX,
  REQUEST_TIMEOUT_MS,
  domainCall,
  lazyDomainCall,
  resolveTarget,
  serversOf,
} from './nats-client.js';
import { LocalError, Refused } from './steps.js';

const STATUS = 'kms.v1.domain.status';

describe('domainCall', () => {
  it('should send a Nest request with a fresh requestId and give the response when the coordinator answers', async () => {
    const fake = new FakeCoordinator({ [STATUS]: () => ({ response: { state: { domainId: 'd1' } } }) });
    const reply = await domainCall(fake.request)(STATUS, { extra: 1 });
    expect(reply).toEqual({ state: { domainId: 'd1' } });
    expect(fake.requests).toEqual([
      {
        subject: STATUS,
        data: { requestId: expect.any(String) as unknown, extra: 1 },
        timeoutMs: REQUEST_TIMEOUT_MS,
      },
    ]);
    await domainCall(fake.request)(STATUS, {});
    expect(fake.requests[1]!.data['requestId']).not.toBe(fake.requests[0]!.data['requestId']);
    expect(REQUEST_TIMEOUT_MS).toBe(10_000);
  });

  it('should throw Refused with the code as __type and the message when the answer is an error envelope', async () => {
    const fake = new FakeCoordinator({
      [STATUS]: () => envelope('QUORUM_REFUSED', 'QUORUM_NOT_MET: needs 2'),
    });
    const e = await domainCall(fake.request)(STATUS, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Refused);
    expect((e as Refused).body).toEqual({ __type: 'QUORUM_REFUSED', message: 'QUORUM_NOT_MET: needs 2' });
  });

  it('should throw Refused when the answer is an error that is not an envelope, not JSON or has no response', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['{"err":"There is no matching message handler","isDisposed":true}', { __type: 'RemoteError' }],
      ['not json', { __type: 'InvalidResponse', message: `the reply to ${STATUS} is not JSON` }],
      [
        '{"isDisposed":true}',
        { __type: 'InvalidResponse', message: `the reply to ${STATUS} has no response` },
      ],
      ['42', { __type: 'InvalidResponse' }],
    ];
    for (const [text, body] of cases) {
      const e = await domainCall(() => Promise.resolve(text))(STATUS, {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Refused);
      expect((e as Refused).body).toMatchObject(body);
    }
  });

  it('should throw a LocalError naming the subject when no reply comes in time or nothing answers', async () => {
    const timeout = new FakeCoordinator({ [STATUS]: () => 'timeout' });
    await expect(domainCall(timeout.request)(STATUS, {})).rejects.toThrow(
      new LocalError(`no reply to ${STATUS} within 10 s: is the coordinator running?`),
    );
    const none = new FakeCoordinator({});
    await expect(domainCall(none.request)(STATUS, {})).rejects.toThrow(
      `nothing answers ${STATUS}: is the coordinator running`,
    );
    const denied = () => Promise.reject(new PermissionViolationError('denied', 'publish', STATUS));
    await expect(domainCall(denied)(STATUS, {})).rejects.toThrow(
      'NATS refused kms.v1.domain.status to this user',
    );
    const other = () => Promise.reject(new Error('connection closed'));
    const e = await domainCall(other)(STATUS, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LocalError);
    expect((e as LocalError).exitCode).toBe(1);
    expect((e as Error).message).toBe(`the request to ${STATUS} failed: connection closed`);
  });
});

describe('resolveTarget', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'symbolon-nats-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should drop the URL credentials and take the operator nkey beside runtime.json when given --runtime', () => {
    const runtime = join(dir, 'runtime.json');
    writeFileSync(
      runtime,
      JSON.stringify({ natsUrl: 'nats://tooling:s3cret@127.0.0.1:4222', metricsPorts: {} }),
    );
    expect(resolveTarget({ runtimeFile: runtime })).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      nkeyFile: join(dir, 'nats', 'keys', 'operator.nk'),
      nkeyOption: 'runtime',
    });
  });

  it('should use the tooling TLS files when runtime.json has natsTls', () => {
    const runtime = join(dir, 'runtime.json');
    const natsTls = {
      SYMBOLON_NATS_TLS_CA_FILE: '/d/ca.pem',
      SYMBOLON_NATS_TLS_CERT_FILE: '/d/tooling.pem',
      SYMBOLON_NATS_TLS_KEY_FILE: '/d/tooling.key',
    };
    writeFileSync(runtime, JSON.stringify({ natsUrl: 'tls://u:p@127.0.0.1:4222', natsTls }));
    expect(resolveTarget({ runtimeFile: runtime })).toMatchObject({
      servers: ['tls://127.0.0.1:4222'],
      tls: { caFile: '/d/ca.pem', certFile: '/d/tooling.pem', keyFile: '/d/tooling.key' },
    });
  });

  it('should throw a LocalError when runtime.json is missing, not JSON, or has no natsUrl or no CA in natsTls', () => {
    const runtime = join(dir, 'runtime.json');
    expect(() => resolveTarget({ runtimeFile: runtime })).toThrow(
      `cannot read --runtime ${runtime}: no such file`,
    );
    for (const [text, message] of [
      ['{', 'is not JSON'],
      ['{"natsUrl": 4}', 'has no natsUrl'],
      ['{"natsUrl": "not a url"}', 'has no natsUrl'],
      ['{"natsUrl": "nats://h:1", "natsTls": {}}', 'has natsTls without SYMBOLON_NATS_TLS_CA_FILE'],
    ]) {
      writeFileSync(runtime, text!);
      expect(() => resolveTarget({ runtimeFile: runtime })).toThrow(message);
    }
  });

  it('should keep the explicit URL servers, nkey file and TLS files when given --nats-url', () => {
    expect(
      resolveTarget({ natsUrl: 'nats://a:1,nats://b:2', nkeyFile: '/k/op.nk', tls: { caFile: '/ca.pem' } }),
    ).toEqual({
      servers: ['nats://a:1', 'nats://b:2'],
      nkeyFile: '/k/op.nk',
      nkeyOption: 'nkey-file',
      tls: { caFile: '/ca.pem' },
    });
    expect(serversOf('nats://u:p@h:1')).toEqual(['nats://h:1']);
  });
});

describe('lazyDomainCall', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'symbolon-nats-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should use the inbox prefix the operator role may read when it connects', () => {
    expect(OPERATOR_INBOX_PREFIX).toBe(inboxPrefix('operator'));
  });

  it('should throw a LocalError (exit 2) when the nkey seed file cannot be read', async () => {
    const nats = lazyDomainCall({ natsUrl: 'nats://127.0.0.1:1', nkeyFile: join(dir, 'none.nk') });
    const e = await nats.call(STATUS, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LocalError);
    expect((e as LocalError).exitCode).toBe(2);
    expect((e as Error).message).toBe(`cannot read --nkey-file ${join(dir, 'none.nk')}: no such file`);
    await nats.close();
  });

  it('should throw a LocalError naming the server but not the seed when nothing listens there', async () => {
    const seed = new TextDecoder().decode(createUser().getSeed());
    writeFileSync(join(dir, 'op.nk'), seed);
    const port = await closedPort();
    const nats = lazyDomainCall({ natsUrl: `nats://127.0.0.1:${port}`, nkeyFile: join(dir, 'op.nk') });
    const e = await nats.call(STATUS, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LocalError);
    expect((e as Error).message).toContain(`cannot connect to NATS at nats://127.0.0.1:${port}`);
    expect((e as Error).message).not.toContain(seed);
    await nats.close();
  });
});

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
