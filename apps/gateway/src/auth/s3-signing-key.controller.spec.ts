import { afterAll, beforeAll } from '@jest/globals';
import { ErrorCodes, KmsError, type S3SigningKeyRequest } from '@symbolon/contracts';
import { deriveSigningKey } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import type { GatewayConfig } from '../config.js';
import { AccessKeyRepository } from '../tenants/access-key.repository.js';
import { AccessKeyEntity } from '../tenants/account.entity.js';
import { ReversingWrapper, gatewayDatabase } from '../tenants/tenancy.test-helper.js';
import { S3SigningKeyController } from './s3-signing-key.controller.js';

const ACCOUNT = '111122223333';
const ACTIVE = 'AKIAACTIVE0000000001';
const INACTIVE = 'AKIAINACTIVE00000001';
const ACTIVE_SECRET = 'active/secret+KEY0000000000000000000000';
const INACTIVE_SECRET = 'inactive/secret+KEY00000000000000000000';
const REGION = 'us-east-1';
const NOT_FOUND_MESSAGE = 'The access key id is not known or not active.';

/** 2026-11-29 at hh:mm UTC, in epoch milliseconds. */
const at = (hhmm: string) => Date.parse(`2026-11-29T${hhmm}:00Z`);

async function kmsErrorOf(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

describe('S3SigningKeyController', () => {
  let ds: DataSource;
  let controller: S3SigningKeyController;

  const request = (overrides: Partial<S3SigningKeyRequest> = {}): S3SigningKeyRequest => ({
    requestId: 'req-1',
    accessKeyId: ACTIVE,
    date: '20261129',
    region: REGION,
    ...overrides,
  });

  beforeAll(async () => {
    ds = await gatewayDatabase();
    const wrapper = new ReversingWrapper();
    const callers = new AccessKeyRepository(ds, 30_000, undefined, { secrets: wrapper });
    const now = new Date();
    const key = (accessKeyId: string, secret: string, status: 'Active' | 'Inactive'): AccessKeyEntity => ({
      accessKeyId,
      accountId: ACCOUNT,
      principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      secret,
      secretWrapped: false,
      status,
      createdAt: now,
    });
    await callers.createAccountWithKey(
      { id: ACCOUNT, name: 'tenant', createdAt: now },
      key(ACTIVE, ACTIVE_SECRET, 'Active'),
      {
        accountId: ACCOUNT,
        userName: 'alice',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        isAdmin: true,
        identitySeeded: true,
        createdAt: now,
      },
    );
    await ds.getRepository(AccessKeyEntity).insert({
      ...key(INACTIVE, await wrapper.wrap(INACTIVE_SECRET, INACTIVE), 'Inactive'),
      secretWrapped: true,
    });
    controller = new S3SigningKeyController(callers, {
      SYMBOLON_REGION: REGION,
      SYMBOLON_MAX_SKEW_MS: 15 * 60 * 1000,
    } as GatewayConfig);
    controller.now = () => at('10:00');
  });

  afterAll(async () => {
    await ds.destroy();
  });

  it("should answer the key's S3 signing key for the day, its account and principal when the key is active", async () => {
    const reply = await controller.signingKey(request());
    expect(reply).toEqual({
      signingKey: deriveSigningKey(ACTIVE_SECRET, '20261129', REGION, 's3').toString('base64'),
      accountId: ACCOUNT,
      principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    });
    expect(Buffer.from(reply.signingKey, 'base64')).toHaveLength(32);
    // Scoped to s3 and that day: not the KMS key, not another day's.
    expect(reply.signingKey).not.toBe(
      deriveSigningKey(ACTIVE_SECRET, '20261129', REGION, 'kms').toString('base64'),
    );
    expect(reply.signingKey).not.toBe(
      deriveSigningKey(ACTIVE_SECRET, '20261128', REGION, 's3').toString('base64'),
    );
    expect(JSON.stringify(reply)).not.toContain(ACTIVE_SECRET);
  });

  it('should refuse with VALIDATION when the region is not the gateway region', async () => {
    const e = await kmsErrorOf(controller.signingKey(request({ region: 'eu-west-1' })));
    expect(e.code).toBe(ErrorCodes.VALIDATION);
    expect(e.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'.");
  });

  it('should refuse with VALIDATION before looking the key up when the region is wrong and the key unknown', async () => {
    const e = await kmsErrorOf(
      controller.signingKey(request({ region: 'eu-west-1', accessKeyId: 'AKIAUNKNOWN000000001' })),
    );
    expect(e.code).toBe(ErrorCodes.VALIDATION);
  });

  it.each(['00:00', '11:59', '23:59'])(
    'should answer for today when the gateway clock says %s',
    async (hhmm) => {
      controller.now = () => at(hhmm);
      try {
        const reply = await controller.signingKey(request());
        expect(reply.signingKey).toBe(
          deriveSigningKey(ACTIVE_SECRET, '20261129', REGION, 's3').toString('base64'),
        );
      } finally {
        controller.now = () => at('10:00');
      }
    },
  );

  it('should answer when the day is yesterday and it is just past midnight', async () => {
    controller.now = () => at('00:10');
    try {
      const reply = await controller.signingKey(request({ date: '20261128' }));
      expect(reply.signingKey).toBe(
        deriveSigningKey(ACTIVE_SECRET, '20261128', REGION, 's3').toString('base64'),
      );
    } finally {
      controller.now = () => at('10:00');
    }
  });

  it('should answer when the day is tomorrow and midnight is minutes away', async () => {
    controller.now = () => at('23:50');
    try {
      const reply = await controller.signingKey(request({ date: '20261130' }));
      expect(reply.signingKey).toBe(
        deriveSigningKey(ACTIVE_SECRET, '20261130', REGION, 's3').toString('base64'),
      );
    } finally {
      controller.now = () => at('10:00');
    }
  });

  it.each([
    ['yesterday, 20 minutes past midnight', '20261128', '00:20'],
    ['yesterday, mid-morning', '20261128', '10:00'],
    ['tomorrow, 20 minutes before midnight', '20261130', '23:40'],
  ])(
    'should refuse with VALIDATION when the day is %s (past the 15-minute skew)',
    async (_name, date, hhmm) => {
      controller.now = () => at(hhmm);
      try {
        const e = await kmsErrorOf(controller.signingKey(request({ date })));
        expect(e.code).toBe(ErrorCodes.VALIDATION);
        expect(e.message).toBe(`Credential date ${date} is not today's.`);
      } finally {
        controller.now = () => at('10:00');
      }
    },
  );

  it('should refuse with VALIDATION when the day is tomorrow and most of today is left', async () => {
    const e = await kmsErrorOf(controller.signingKey(request({ date: '20261130' })));
    expect(e.code).toBe(ErrorCodes.VALIDATION);
    expect(e.message).toBe("Credential date 20261130 is not today's.");
  });

  it.each([
    ['3 days ago', '20261126'],
    ['2 days ahead', '20261201'],
    ['a year ago', '20251129'],
    ['not a real date (November 31)', '20261131'],
    ['not a real date (month 13)', '20261301'],
    ['not a real date (day 0)', '20261100'],
    ['all zeros', '00000000'],
  ])('should refuse with VALIDATION when the day is %s', async (_name, date) => {
    const e = await kmsErrorOf(controller.signingKey(request({ date })));
    expect(e.code).toBe(ErrorCodes.VALIDATION);
    expect(e.message).toBe(`Credential date ${date} is not today's.`);
  });

  it.each([
    ['the key is unknown', { accessKeyId: 'AKIAUNKNOWN000000001' }],
    ['the key is inactive', { accessKeyId: INACTIVE }],
    ['an active key comes with a session token', { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }],
    ['an unknown key comes with a session token', { accessKeyId: 'AKIAUNKNOWN000000002', sessionToken: 'x' }],
    ['an active key comes with an empty session token', { sessionToken: '' }],
  ])('should refuse with NOT_FOUND and one message when %s', async (_name, overrides) => {
    const e = await kmsErrorOf(controller.signingKey(request(overrides)));
    expect(e.code).toBe(ErrorCodes.NOT_FOUND);
    expect(e.message).toBe(NOT_FOUND_MESSAGE);
    expect(e.details).toBeUndefined();
    expect(e.message).not.toContain(ACTIVE_SECRET);
    expect(e.message).not.toContain(INACTIVE_SECRET);
  });
});
