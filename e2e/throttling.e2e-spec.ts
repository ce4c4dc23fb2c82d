/**
 * Per-tenant request-rate limits (docs/adr/0007-request-rate-limits.md), end to end: the platform started as the
 * README's start command does, with a limit of 20 requests/s, flooded by @aws-sdk/client-kms.
 *
 * There is one account until the tenancy work lands, so a second tenant's isolation is shown at the unit level
 * (apps/gateway/src/kms/throttle/*.spec.ts); here: the excess of a flood is refused with an AWS-shaped
 * ThrottlingException, every refusal is audited, the account's other quotas still serve, and after a second it is
 * served again.
 */
import {
  CreateKeyCommand,
  GenerateRandomCommand,
  type KMSClient,
  KMSServiceException,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';

import { auditDbPath, pollUntil, readAuditRows } from '../libs/testing/src/invariants/audit-db.js';
import { rawKms } from './support/clients.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const RPS = 20;
const FLOOD = 100;
const THROTTLED_MESSAGE =
  /^You have exceeded the rate at which you may call KMS\. Reduce the frequency of your calls\.$/;

let platform: TestPlatform;
let kms: KMSClient;

beforeAll(async () => {
  platform = await startTestPlatform({
    env: { SYMBOLON_RATE_LIMIT_CRYPTO_RPS: String(RPS), SYMBOLON_RATE_LIMIT_OTHER_RPS: String(RPS) },
  });
  kms = platform.kms(); // maxAttempts 1: the SDK does not retry, every answer is seen
}, START_TIMEOUT);

afterAll(async () => {
  kms?.destroy();
  await platform?.stop();
}, START_TIMEOUT);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Long enough for every bucket of the account to be full again (burst = one second's worth). */
const refilled = () => sleep(1100);

interface Answer {
  requestId: string | undefined;
  ok: boolean;
  name?: string;
  status?: number;
  fault?: string;
  message?: string;
}

/** One GenerateRandom (a cryptographic operation: the shared quota) through the SDK, as an Answer. */
async function generateRandom(): Promise<Answer> {
  try {
    const out = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }));
    return { requestId: out.$metadata.requestId, ok: true };
  } catch (e) {
    if (!(e instanceof KMSServiceException)) throw e;
    return {
      requestId: e.$metadata.requestId,
      ok: false,
      name: e.name,
      status: e.$metadata.httpStatusCode,
      fault: e.$fault,
      message: e.message,
    };
  }
}

/** n requests at once; the answers and how long the whole flood took. */
async function flood(n: number): Promise<{ answers: Answer[]; seconds: number }> {
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, () => generateRandom()));
  return { answers, seconds: (performance.now() - started) / 1000 };
}

describe('request-rate limits', () => {
  let floodAnswers: Answer[] = [];

  it('should refuse the excess of a flood with ThrottlingException when an account exceeds its rate', async () => {
    await refilled();
    const { answers, seconds } = await flood(FLOOD);
    floodAnswers = answers;
    const served = answers.filter((a) => a.ok).length;
    const throttled = answers.filter((a) => !a.ok);
    // The burst is served; beyond it, only what refilled while the flood lasted.
    expect(served).toBeGreaterThanOrEqual(RPS);
    expect(served).toBeLessThanOrEqual(RPS + Math.ceil(RPS * seconds) + 1);
    expect(throttled.length).toBe(FLOOD - served);
    expect(throttled.length).toBeGreaterThan(0);
    for (const t of throttled) {
      expect(t).toMatchObject({ name: 'ThrottlingException', status: 400, fault: 'client' });
      expect(t.message).toMatch(THROTTLED_MESSAGE);
      expect(t.requestId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });

  it('should answer a throttled request in the AWS JSON 1.1 error shape when it is sent raw', async () => {
    await refilled();
    const answers = await Promise.all(
      Array.from({ length: 2 * RPS }, () =>
        rawKms(platform, { target: 'GenerateRandom', body: { NumberOfBytes: 8 } }),
      ),
    );
    const throttled = answers.filter((a) => a.status !== 200);
    expect(throttled.length).toBeGreaterThan(0);
    for (const t of throttled) {
      expect(t.status).toBe(400);
      expect(t.contentType).toContain('application/x-amz-json-1.1');
      expect(t.json).toEqual({
        __type: 'ThrottlingException',
        message: expect.stringMatching(THROTTLED_MESSAGE),
      });
    }
  });

  it('should audit every answer of the flood, throttled ones as ThrottlingException of the account', async () => {
    const ids = new Set(floodAnswers.map((a) => a.requestId));
    expect(ids.size).toBe(FLOOD);
    const audit = auditDbPath(platform.dataDir);
    const rows = await pollUntil(
      () => readAuditRows(audit).filter((r) => ids.has(r.requestId)),
      (found) => found.length >= FLOOD,
      15_000,
    );
    expect(rows).toHaveLength(FLOOD);
    const byId = new Map(rows.map((r) => [r.requestId, r]));
    for (const a of floodAnswers) {
      const row = byId.get(a.requestId!);
      expect({ operation: row?.operation, tenantId: row?.tenantId, outcome: row?.outcome }).toEqual({
        operation: 'GenerateRandom',
        tenantId: platform.credentials.accountId,
        outcome: a.ok ? 'ok' : 'ThrottlingException',
      });
      if (!a.ok) expect(JSON.parse(row!.record)).toMatchObject({ httpStatus: 400 });
    }
  });

  it("should still serve the account's other operations when its cryptographic quota is exhausted", async () => {
    await refilled();
    const { answers } = await flood(3 * RPS);
    expect(answers.some((a) => !a.ok)).toBe(true);
    // ListKeys and CreateKey count against quotas of their own.
    const listed = await kms.send(new ListKeysCommand({}));
    expect(listed.$metadata.httpStatusCode).toBe(200);
    const created = await kms.send(new CreateKeyCommand({ Description: 'created while throttled' }));
    expect(created.KeyMetadata?.KeyState).toBe('Enabled');
    // ... while the cryptographic quota is still empty.
    expect((await flood(RPS)).answers.some((a) => a.name === 'ThrottlingException')).toBe(true);
  });

  it('should serve the account again when a second has passed after its flood', async () => {
    await refilled();
    const { answers } = await flood(3 * RPS);
    expect(answers.some((a) => a.name === 'ThrottlingException')).toBe(true);
    await refilled();
    const again = await flood(RPS);
    expect(again.answers.filter((a) => !a.ok)).toEqual([]);
  });
});
