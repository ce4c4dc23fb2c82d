/**
 * Wear-out on the running platform (limit 20, rotation at 18, the lifecycle job every 300 ms): once a key's current
 * version has sealed 18 times it gets a new version, new encryptions use it, old ciphertexts still decrypt, and the
 * rotation is in the audit chain.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { join } from 'node:path';

import { symbolonCall } from './support/tenants.js';

jest.setTimeout(120_000);

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    db: 'sqlite',
    env: { SYMBOLON_KEY_WEAROUT_LIMIT: '20', SYMBOLON_JOB_INTERVAL_MS: '300' },
  });
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await what();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await what();
  }
  return last;
}

describe('wear-out rotation', () => {
  it('should rotate a key whose current version reached 90 % of the limit and record the rotation', async () => {
    const kms = platform.kms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blobs = await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`m${i}`) })),
      ),
    );
    const rotations = await until(
      () => kms.send(new ListKeyRotationsCommand({ KeyId: keyId })),
      (r) => (r.Rotations ?? []).length > 0,
    );
    expect(rotations.Rotations).toHaveLength(1);
    expect(rotations.Rotations![0]!.RotationType).toBe('AUTOMATIC');

    const fresh = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after') }));
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }));
    const old = await kms.send(new DecryptCommand({ CiphertextBlob: blobs[0]!.CiphertextBlob }));
    expect(Buffer.from(old.Plaintext!).toString()).toBe('m0');
    expect(Buffer.from(back.Plaintext!).toString()).toBe('after');
    // New encryptions are sealed under the new version: its counter has the one made after the rotation.
    const usage = await until(
      async () =>
        (await symbolonCall(platform, 'GetKeyUsage', { KeyId: keyId }, { service: 'Symbolon' })).body[
          'KeyVersions'
        ],
      (v) =>
        JSON.stringify(v) ===
        JSON.stringify([
          { KeyVersion: 1, Encryptions: 18 },
          { KeyVersion: 2, Encryptions: 1 },
        ]),
    );
    expect(usage).toEqual([
      { KeyVersion: 1, Encryptions: 18 },
      { KeyVersion: 2, Encryptions: 1 },
    ]);

    const records = await until(
      async () => {
        const db = new Database(join(platform.dataDir, 'db', 'audit.sqlite'), { readonly: true });
        try {
          return db
            .prepare(`SELECT record FROM audit_records WHERE operation = 'Symbolon.WearOutRotation'`)
            .all() as { record: string }[];
        } finally {
          db.close();
        }
      },
      (rows) => rows.length > 0,
    );
    expect(records.map((r) => JSON.parse(r.record) as Record<string, unknown>)).toMatchObject([
      { keyVersion: 2, outcome: 'ok', decision: { effect: 'ALLOW' } },
    ]);
  });
});
