import { sign as edSign, generateKeyPairSync } from 'node:crypto';

import { jest } from '@jest/globals';
import type { SignAuditDigestRequest, SignedDocumentDto } from '@symbolon/contracts';
import { auditDigest, signingBytes, verifyAuditDigest } from '@symbolon/evidence';
import type { RpcClient } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { auditDatabases, onPostgres, requestEvent } from './audit-databases.test-helper.js';

/**
 * DigestJob on a real database (SQLite, or PostgreSQL when SYMBOLON_TEST_DB=postgres): it signs the chain head once,
 * stores the signed digest once per sequence (two replicas at once included), and refuses a signature over another
 * head. The token is played by an Ed25519 key in this process (the hsm side is covered by libs/pkcs11's and the e2e
 * suites); the records are real AuditStore appends.
 */
const { AuditDigestEntity, AuditRecordEntity } = await import('../../src/records/audit-record.entity.js');
const { AuditStore } = await import('../../src/records/audit-store.js');
const { DigestJob } = await import('../../src/records/digest.job.js');

jest.setTimeout(60_000);

const token = generateKeyPairSync('ed25519');
const PUBLIC_KEY = token.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** Plays the coordinator + hsm node: signs a digest of what it is asked, or (`lie`) of another head. */
function signer(lie = false): { rpc: RpcClient; asked: SignAuditDigestRequest[] } {
  const asked: SignAuditDigestRequest[] = [];
  const rpc = {
    send: async (_subject: string, req: SignAuditDigestRequest): Promise<SignedDocumentDto> => {
      asked.push(req);
      const document = auditDigest({
        sequence: req.sequence,
        hash: lie ? 'f'.repeat(64) : req.hash,
        time: new Date().toISOString(),
        nodeId: 'hsm-1',
      });
      return {
        document: document as unknown as Record<string, unknown>,
        signature: edSign(null, signingBytes(document), token.privateKey).toString('base64'),
        publicKey: PUBLIC_KEY,
      };
    },
  };
  return { rpc: rpc as unknown as RpcClient, asked };
}

/** A Decrypt: recorded in the chain, counted nowhere. */
const event = () =>
  requestEvent({ operation: 'Decrypt', keyArn: null, keyVersion: null, encryptionContext: null });

describe(`DigestJob on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dbs = auditDatabases('digest');
  /** Opens a new database; each call of what it returns is another connection to it (another replica). */
  const database = async () => (await dbs.newDatabase()).connect;

  beforeAll(() => dbs.start(), 120_000);
  afterAll(() => dbs.stop(), 60_000);

  const head = async (ds: DataSource) =>
    (await ds.getRepository(AuditRecordEntity).find({ order: { sequence: 'DESC' }, take: 1 }))[0]!;

  it('should sign nothing while the chain is empty, then the head once until the chain grows', async () => {
    const ds = await (await database())();
    const { rpc, asked } = signer();
    const job = new DigestJob(ds, rpc, 60_000);
    expect(await job.runOnce()).toBeUndefined();
    await new AuditStore(ds).append([event(), event(), event()]);
    expect(await job.runOnce()).toBe(3);
    expect(await job.runOnce()).toBeUndefined();
    await new AuditStore(ds).append([event()]);
    expect(await job.runOnce()).toBe(4);
    expect(asked.map((a) => a.sequence)).toEqual([3, 4]);

    const stored = await ds.getRepository(AuditDigestEntity).find({ order: { sequence: 'ASC' } });
    expect(stored.map((d) => d.sequence)).toEqual([3, 4]);
    const last = JSON.parse(stored[1]!.signed) as Parameters<typeof verifyAuditDigest>[0];
    expect(verifyAuditDigest(last, PUBLIC_KEY)).toMatchObject({ ok: true });
    expect(stored[1]!.hash).toBe((await head(ds)).hash);
  });

  it('should store one digest when two replicas sign the same head at once', async () => {
    const open = await database();
    const [ds1, ds2] = [await open(), await open()];
    await new AuditStore(ds1).append([event(), event()]);
    const jobs = [new DigestJob(ds1, signer().rpc, 60_000), new DigestJob(ds2, signer().rpc, 60_000)];
    await Promise.all(jobs.map((j) => j.runOnce()));
    expect(await ds1.getRepository(AuditDigestEntity).count()).toBe(1);
  });

  it('should refuse and store nothing when the signed digest names another head', async () => {
    const ds = await (await database())();
    await new AuditStore(ds).append([event()]);
    const job = new DigestJob(ds, signer(true).rpc, 60_000);
    await expect(job.runOnce()).rejects.toThrow(/does not match the chain head/);
    expect(await ds.getRepository(AuditDigestEntity).count()).toBe(0);
  });
});
