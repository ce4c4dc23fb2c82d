/**
 * NATS least privilege on the platform as `npm start` runs it: each service connects as its own nkey user with only
 * the rights of its role (libs/platform nats-permissions.ts). Allowed calls work; the forbidden ones fail with a
 * permissions violation from nats-server itself.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type NatsConnection, connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { type NatsRole, inboxPrefix, natsRoleName } from '@symbolon/platform';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(60_000);

const HSM: NatsRole = { hsmNode: 'hsm-1' };
const WAIT_MS = 3_000;

let platform: TestPlatform;
let natsPort: string;
const open: NatsConnection[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  const runtime = JSON.parse(readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8')) as {
    natsUrl: string;
  };
  natsPort = new URL(runtime.natsUrl).port;
}, 240_000);

afterAll(async () => {
  for (const nc of open) await nc.close();
  await platform?.stop();
}, 240_000);

/** Connects as a role's own NATS user, with its seed from the data folder and its inbox prefix. */
async function as(role: NatsRole): Promise<NatsConnection> {
  const seed = readFileSync(
    join(platform.dataDir, 'nats', 'keys', `${natsRoleName(role)}.nk`),
    'utf8',
  ).trim();
  const nc = await connect({
    servers: `127.0.0.1:${natsPort}`,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: inboxPrefix(role),
  });
  open.push(nc);
  return nc;
}

/** A Nest microservice request (its envelope), answered by the service that serves `subject`. */
async function nestRequest(
  nc: NatsConnection,
  subject: string,
  data: object,
): Promise<Record<string, unknown>> {
  const reply = await nc.request(subject, JSON.stringify({ pattern: subject, data, id: '1' }), {
    timeout: WAIT_MS,
  });
  return reply.json<Record<string, unknown>>();
}

/**
 * The error the server reports for a publish, or 'allowed' when it reports none. The server answers a PUB before the
 * PING of the flush, so once the flush is back any violation has arrived; the short wait covers its dispatch.
 */
async function publishRefusal(nc: NatsConnection, subject: string): Promise<string> {
  const status = nc.status()[Symbol.asyncIterator]();
  const firstError = (async () => {
    for (;;) {
      const next = await status.next();
      if (next.done) return 'closed';
      if (next.value.type === 'error') return next.value.error.message;
    }
  })();
  nc.publish(subject, '{}');
  await nc.flush();
  return Promise.race([firstError, new Promise<string>((r) => setTimeout(() => r('allowed'), 500))]);
}

/** How the server answers a subscription (after a flush, as for publishes): closed with its error, or still open. */
async function subscription(nc: NatsConnection, subject: string, queue?: string): Promise<string> {
  const sub = nc.subscribe(subject, queue !== undefined ? { queue } : {});
  await nc.flush();
  const outcome = await Promise.race([
    sub.closed.then((e) => (e instanceof Error ? e.message : 'closed')),
    new Promise<string>((r) => setTimeout(() => r('open'), 500)),
  ]);
  if (outcome === 'open') sub.unsubscribe();
  return outcome;
}

const scope = () => ({
  requestId: 'nats-permissions',
  tenantId: platform.credentials.accountId,
  principal: 'x',
});

describe('NATS permissions of the running platform', () => {
  it('should let the gateway ask the coordinator and the coordinator ask an hsm node when they use their own users', async () => {
    const gateway = await as('gateway');
    const listed = await nestRequest(gateway, 'kms.v1.keys.list', {
      ...scope(),
      principal: `arn:aws:iam::${platform.credentials.accountId}:user/admin`,
      limit: 1,
    });
    expect(listed['err']).toBeUndefined();
    expect(listed['response']).toMatchObject({ keys: expect.any(Array) as unknown });
    const coordinator = await as('coordinator');
    const health = await nestRequest(coordinator, 'kms.v1.hsm.hsm-1.health', {
      requestId: 'nats-permissions',
    });
    expect(health['err']).toBeUndefined();
  });

  it.each([
    ['the gateway', 'kms.v1.hsm.hsm-1.encrypt', 'gateway' as NatsRole],
    ['the policy service', 'kms.v1.hsm.hsm-1.decrypt', 'policy' as NatsRole],
    ['the audit service', 'kms.v1.hsm.hsm-1.generate-key', 'audit' as NatsRole],
    ['an hsm node', 'kms.v1.hsm.hsm-2.encrypt', HSM],
    ['an hsm node', 'kms.v1.keys.encrypt', HSM],
    ['the gateway', 'kms.v1.policy.evaluate', 'gateway' as NatsRole],
    ['the gateway', 'kms.v1.notices.policy.changed', 'gateway' as NatsRole],
    ['the coordinator', 'kms.v1.notices.policy.changed', 'coordinator' as NatsRole],
    ['the gateway', '$JS.API.CONSUMER.CREATE.KMS_EVENTS.reader', 'gateway' as NatsRole],
    ['the coordinator', '$JS.API.CONSUMER.MSG.NEXT.KMS_EVENTS.audit', 'coordinator' as NatsRole],
    ['the policy service', '$JS.API.STREAM.PURGE.KMS_EVENTS', 'policy' as NatsRole],
    ['the audit service', '$JS.API.STREAM.DELETE.KMS_EVENTS', 'audit' as NatsRole],
    // Audit answers only in the coordinator's inbox for audit queries, never in the one for hsm or policy replies.
    ['the audit service', '_INBOX_coordinator.NUIDNUIDNUIDNUID.1', 'audit' as NatsRole],
    ['the audit service', '_INBOX_gateway.NUIDNUIDNUIDNUID.1', 'audit' as NatsRole],
  ])('should refuse %s publishing to %s when its role does not call it', async (_who, subject, role) => {
    const nc = await as(role);
    expect(await publishRefusal(nc, subject)).toBe(`Permissions Violation for Publish to "${subject}"`);
  });

  it.each([
    ['an hsm node answering for another node', HSM, 'kms.v1.hsm.hsm-2.encrypt', 'hsm'],
    [
      'the coordinator serving keys without its queue group',
      'coordinator' as NatsRole,
      'kms.v1.keys.encrypt',
      undefined,
    ],
    [
      'the policy service serving in another queue group',
      'policy' as NatsRole,
      'kms.v1.policy.evaluate',
      'other',
    ],
    [
      'the gateway serving the coordinator subjects',
      'gateway' as NatsRole,
      'kms.v1.keys.encrypt',
      'coordinator',
    ],
    ['the gateway reading the events stream subjects', 'gateway' as NatsRole, 'kms.v1.events.>', undefined],
    ['the coordinator reading the gateway replies', 'coordinator' as NatsRole, '_INBOX_gateway.>', undefined],
    ['the policy service reading every subject', 'policy' as NatsRole, '>', undefined],
  ])('should refuse %s when it subscribes', async (_what, role, subject, queue) => {
    const nc = await as(role);
    const expected =
      queue !== undefined
        ? `Permissions Violation for Subscription to "${subject}" using queue "${queue}"`
        : `Permissions Violation for Subscription to "${subject}"`;
    expect(await subscription(nc, subject, queue)).toBe(expected);
  });

  it('should report no violation when the gateway publishes a key request and the coordinator an hsm request', async () => {
    expect(await publishRefusal(await as('gateway'), 'kms.v1.keys.describe')).toBe('allowed');
    expect(await publishRefusal(await as('coordinator'), 'kms.v1.hsm.hsm-1.health')).toBe('allowed');
  });

  it('should let each responder subscribe to its own subjects in its queue group', async () => {
    expect(await subscription(await as(HSM), 'kms.v1.hsm.hsm-1.encrypt', 'hsm')).toBe('open');
    expect(await subscription(await as('coordinator'), 'kms.v1.keys.encrypt', 'coordinator')).toBe('open');
    expect(await subscription(await as('policy'), 'kms.v1.policy.evaluate', 'policy')).toBe('open');
    expect(await subscription(await as('audit'), 'kms.v1.audit.query', 'audit')).toBe('open');
  });

  it('should refuse a connection with an nkey the server does not know', async () => {
    const { createUser } = await import('@nats-io/nkeys');
    const stranger = createUser();
    await expect(
      connect({ servers: `127.0.0.1:${natsPort}`, authenticator: nkeyAuthenticator(stranger.getSeed()) }),
    ).rejects.toThrow(/Authorization Violation/i);
  });
});
