/**
 * Usage counters stay exact when the audit service dies: 10,000 concurrent Encrypts while the audit process is
 * killed (SIGKILL) twice and started again by the launcher give a counter of exactly 10,000, and Decrypts leave it
 * there. Records wait in JetStream while audit is down; each is stored and counted once when it comes back.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { symbolonCall } from './support/tenants.js';

jest.setTimeout(600_000);

const REQUESTS = 10_000;
const CONCURRENCY = 32;

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

const auditPid = (): number =>
  (JSON.parse(readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8')) as { pids: { audit: number } })
    .pids.audit;

async function encryptions(keyId: string): Promise<number> {
  const res = await symbolonCall(platform, 'GetKeyUsage', { KeyId: keyId }, { service: 'Symbolon' });
  expect(res.status).toBe(200);
  const versions = res.body['KeyVersions'] as { Encryptions: number }[];
  return versions.reduce((n, v) => n + v.Encryptions, 0);
}

/** Polls until the counter reaches `expected` (records are stored after the answer), or the deadline passes. */
async function settled(keyId: string, expected: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let n = await encryptions(keyId);
  while (n < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    n = await encryptions(keyId);
  }
  return n;
}

/** Kills the audit process and waits until the launcher has started a new one. */
async function killAudit(): Promise<void> {
  const pid = auditPid();
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 30_000;
  while (auditPid() === pid) {
    if (Date.now() > deadline) throw new Error('the launcher did not start audit again');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('usage counters across audit restarts', () => {
  it('should count exactly 10,000 concurrent Encrypts while audit is killed twice, and no Decrypt', async () => {
    const kms = platform.kms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    let sent = 0;
    const blobs: Uint8Array[] = [];
    const worker = async () => {
      while (sent < REQUESTS) {
        sent++;
        const r = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('counted') }));
        if (blobs.length < 100) blobs.push(r.CiphertextBlob!);
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Kill audit at about a third and two thirds of the load.
    for (const mark of [REQUESTS / 3, (2 * REQUESTS) / 3]) {
      while (sent < mark) await new Promise((r) => setTimeout(r, 50));
      await killAudit();
    }
    await load;
    expect(sent).toBe(REQUESTS);
    expect(await settled(keyId, REQUESTS, 120_000)).toBe(REQUESTS);

    await Promise.all(blobs.map((b) => kms.send(new DecryptCommand({ CiphertextBlob: b }))));
    // Give any double count the time to show: the Decrypts' records are stored after these.
    await settled(keyId, REQUESTS + 1, 3_000);
    expect(await encryptions(keyId)).toBe(REQUESTS);
  });
});
