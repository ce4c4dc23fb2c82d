/**
 * Invariant 5 on the running platform: a shredded key cannot be recovered once the domain-key generation it was
 * wrapped under is destroyed, even from a database backup taken earlier. The database is copied, a key is shredded, the
 * operators rotate the domain key (the job re-wraps every other EKT under the new generation while the platform
 * serves), then destroy the old generation (shown by listing the token's objects); the copy is restored and the
 * shredded key's ciphertext no longer decrypts.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import { type DomainChange, type DomainState, newProposal, signProposal } from '@symbolon/quorum';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { symbolon } from './support/cli.js';
import { domainKeysInToken } from './support/tokens.js';
import { developmentOperator, operatorClient } from './support/operators.js';

jest.setTimeout(240_000);

const ENV = { SYMBOLON_JOB_INTERVAL_MS: '500' };

let platform: TestPlatform;
let operator: RpcClient;
let dataDir: string;
let backupDir: string;

beforeAll(async () => {
  platform = await startTestPlatform({ env: ENV });
  dataDir = platform.dataDir;
  operator = await operatorClient(platform);
  backupDir = mkdtempSync(join(tmpdir(), 'symbolon-backup-'));
}, 240_000);

afterAll(async () => {
  await operator?.close();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(backupDir, { recursive: true, force: true });
}, 240_000);

const status = () =>
  operator.send<{ state: DomainState; rewrapRemaining: number }>(Subjects.domain.status, {
    requestId: randomUUID(),
  });

/** A change approved by the development domain's operator (1-of-1) and applied on every member. */
async function approve(change: DomainChange): Promise<number> {
  const { state } = await status();
  const p = newProposal(state, change, { ttlMs: 3_600_000, now: new Date() });
  const dev = developmentOperator(platform);
  const r = await operator.send<{ epoch: number }>(Subjects.domain.submit, {
    requestId: randomUUID(),
    proposal: p,
    signatures: [signProposal(p, dev.id, dev.privateKey)],
  });
  return r.epoch;
}

const cli = (...args: string[]) => symbolon(platform, ...args);

describe('crypto-shredding through domain-key rotation', () => {
  it('should make a shredded key unrecoverable from an earlier backup once its generation is destroyed', async () => {
    const kms = platform.kms();
    const shredded = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const kept = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const root = `arn:aws:iam::${platform.credentials.accountId}:root`;
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: shredded,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: root }, Action: ['kms:*', 'kms:ShredKey'], Resource: '*' },
          ],
        }),
      }),
    );
    const lost = (await kms.send(new EncryptCommand({ KeyId: shredded, Plaintext: Buffer.from('gone') })))
      .CiphertextBlob!;
    const safe = (await kms.send(new EncryptCommand({ KeyId: kept, Plaintext: Buffer.from('kept') })))
      .CiphertextBlob!;

    // The backup: a consistent copy of the coordinator's database, EKTs of both keys in it (generation 1).
    const backup = join(backupDir, 'coordinator.sqlite');
    const live = new Database(join(dataDir, 'db', 'coordinator.sqlite'), { readonly: true });
    await live.backup(backup);
    live.close();

    const receiptFile = join(backupDir, 'receipt.json');
    const shred = await cli('key', 'shred', '--key-id', shredded, '--out', receiptFile);
    expect(JSON.parse(shred.out)).toMatchObject({ KeyState: 'Shredded', Final: false });
    expect(JSON.parse((await cli('key', 'verify-shred', '--receipt', receiptFile)).out)).toMatchObject({
      PendingGenerations: [1],
      Final: false,
    });
    expect(domainKeysInToken(platform)).toEqual(['symbolon-domain-1']);

    // Rotation: a new generation in the token; the job re-wraps the kept key's EKT while the platform serves.
    expect(await approve({ kind: 'rotate-domain-key', generation: 2 })).toBe(2);
    const deadline = Date.now() + 30_000;
    while ((await status()).rewrapRemaining > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect((await status()).rewrapRemaining).toBe(0);
    expect(domainKeysInToken(platform)).toEqual(['symbolon-domain-1', 'symbolon-domain-2']);
    const fresh = (await kms.send(new EncryptCommand({ KeyId: kept, Plaintext: Buffer.from('after') })))
      .CiphertextBlob!;

    // The old generation destroyed in the token: only generation 2 is left.
    expect(await approve({ kind: 'destroy-generation', generation: 1 })).toBe(3);
    expect(domainKeysInToken(platform)).toEqual(['symbolon-domain-2']);
    // Now the receipt can be completed: asked again, ShredKey adds the token's signed completion.
    const finalFile = join(backupDir, 'receipt-final.json');
    expect(
      JSON.parse((await cli('key', 'shred', '--key-id', shredded, '--out', finalFile)).out),
    ).toMatchObject({
      Final: true,
    });
    expect(
      JSON.parse((await cli('key', 'verify-shred', '--receipt', finalFile, '--key-id', shredded)).out),
    ).toMatchObject({
      Valid: true,
      Final: true,
      PendingGenerations: [],
    });
    const plain = async (blob: Uint8Array) =>
      Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();
    expect([await plain(safe), await plain(fresh)]).toEqual(['kept', 'after']);

    // Restore the backup taken before the shred: the shredded key is back in the database, with its EKT.
    await platform.stop({ keepData: true });
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(dataDir, 'db', `coordinator.sqlite${suffix}`), { force: true });
    copyFileSync(backup, join(dataDir, 'db', 'coordinator.sqlite'));
    platform = await startTestPlatform({ dataDir, env: ENV });
    const restored = platform.kms();
    const outcome = await restored.send(new DecryptCommand({ CiphertextBlob: lost })).then(
      () => 'decrypted',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(outcome).toMatch(/^KMSInvalidStateException: .*not available in the token/);
    // Everything in that backup was wrapped under the destroyed generation: the whole backup is dead, as intended.
    expect(
      await restored.send(new DecryptCommand({ CiphertextBlob: safe })).then(
        () => 'decrypted',
        (e: Error) => e.name,
      ),
    ).toBe('KMSInvalidStateException');
  });
});
