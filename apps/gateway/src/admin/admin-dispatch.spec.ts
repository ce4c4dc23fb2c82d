import type { RpcClient } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { InMemoryAccessKeys, RecordingRpc, asFake } from '../../../../libs/testing/src/fakes/index.js';
import type { AuditPublisher } from '@symbolon/platform';
import type { SigV4Verifier } from '../auth/sigv4/index.js';
import { KmsRequestHandler } from '../kms/kms-request.handler.js';
import {
  ACCESS_KEY_ID,
  ACCOUNT_ID,
  RecordingAudit,
  RecordingReply,
  fakeRequest,
} from '../kms/kms-http.test-helper.js';
import { RateLimiter } from '../kms/throttle/rate-limiter.js';
import { AccessKeyChanges, type AccessKeyRepository } from '../tenants/access-key.repository.js';
import { TenancyService } from '../tenants/tenancy.service.js';
import { ReversingWrapper, gatewayDatabase } from '../tenants/tenancy.test-helper.js';
import { UserEntity } from '../tenants/user.entity.js';

const ADMIN_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/admin`;

let ds: DataSource;

beforeEach(async () => {
  ds = await gatewayDatabase();
});

afterEach(async () => {
  await ds.destroy();
});

/** The users of the caller's account, as stored. */
async function userNames(): Promise<string[]> {
  return (await ds.getRepository(UserEntity).find({ order: { userName: 'ASC' } })).map((u) => u.userName);
}

/** A handler whose one caller is ADMIN_ARN, a user of ACCOUNT_ID that is a platform admin or not. */
async function handler(isAdmin: boolean, audit: RecordingAudit): Promise<KmsRequestHandler> {
  await ds.query(
    `INSERT INTO accounts (id, name, created_at) VALUES ('${ACCOUNT_ID}', 'a', '2025-01-01 00:00:00')`,
  );
  await ds
    .getRepository(UserEntity)
    .insert({ accountId: ACCOUNT_ID, userName: 'admin', arn: ADMIN_ARN, isAdmin, createdAt: new Date(0) });
  const keys = new InMemoryAccessKeys();
  keys.accessKeys.set(ACCESS_KEY_ID, {
    accessKeyId: ACCESS_KEY_ID,
    accountId: ACCOUNT_ID,
    principalArn: ADMIN_ARN,
    secret: 'not-used',
    status: 'Active',
  });
  const tenancy = new TenancyService(ds, new AccessKeyChanges(), new ReversingWrapper());
  return new KmsRequestHandler(
    asFake<SigV4Verifier>({ verify: async () => ({ accessKeyId: ACCESS_KEY_ID }), cachedSigners: 0 }),
    asFake<AccessKeyRepository>({
      findActive: (id) => keys.findActive(id),
      countAccounts: () => keys.countAccounts(),
      createAccountWithKey: async () => {
        throw new Error('not used by the handler');
      },
    }),
    asFake<RpcClient>(new RecordingRpc()),
    asFake<AuditPublisher>(audit),
    new RateLimiter({ cryptoRps: 1_000_000, otherRps: 1_000_000 }),
    tenancy,
  );
}

const createUser = (target = 'SymbolonAdmin.CreateUser') =>
  fakeRequest({
    headers: { 'x-amz-target': target },
    body: Buffer.from(JSON.stringify({ UserName: 'alice' })),
  });

describe('KmsRequestHandler with the admin API', () => {
  it('should dispatch SymbolonAdmin operations and audit them by their full target when the caller is an admin', async () => {
    const audit = new RecordingAudit();
    const reply = new RecordingReply();
    await (await handler(true, audit)).handle(createUser(), reply.asFastify());
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({ User: { UserName: 'alice', AccountId: ACCOUNT_ID } });
    expect(await userNames()).toEqual(['admin', 'alice']);
    expect(audit.events).toEqual([
      expect.objectContaining({ operation: 'SymbolonAdmin.CreateUser', outcome: 'ok', principal: ADMIN_ARN }),
    ]);
  });

  it('should answer AccessDeniedException, do nothing and audit the denial when the caller is not an admin', async () => {
    const audit = new RecordingAudit();
    const reply = new RecordingReply();
    await (await handler(false, audit)).handle(createUser(), reply.asFastify());
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ __type: 'AccessDeniedException' });
    expect(await userNames()).toEqual(['admin']);
    expect(audit.events).toEqual([
      expect.objectContaining({ operation: 'SymbolonAdmin.CreateUser', outcome: 'AccessDeniedException' }),
    ]);
  });

  it('should answer UnknownOperationException when the admin operation does not exist', async () => {
    const audit = new RecordingAudit();
    const reply = new RecordingReply();
    await (await handler(true, audit)).handle(createUser('SymbolonAdmin.MakeCoffee'), reply.asFastify());
    expect(reply.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('should not serve admin operations under the KMS prefix when the target is TrentService', async () => {
    const audit = new RecordingAudit();
    const reply = new RecordingReply();
    await (await handler(true, audit)).handle(createUser('TrentService.CreateUser'), reply.asFastify());
    expect(reply.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(await userNames()).toEqual(['admin']);
  });
});
