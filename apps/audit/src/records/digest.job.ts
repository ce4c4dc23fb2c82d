import { type SignAuditDigestRequest, type SignedDocumentDto, Subjects } from '@symbolon/contracts';
import { type AuditDigest, type Signed, verifyAuditDigest } from '@symbolon/evidence';
import { type RpcClient, logger } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { AuditDigestEntity, AuditRecordEntity } from './audit-record.entity.js';

/**
 * Every interval, when the chain grew since the last digest: a token signs a digest of the chain head (sequence and
 * hash), relayed by the coordinator, and the signed digest is stored. A rewrite of any record up to a signed head then
 * shows in `symbolon audit verify`, however the later hashes were recomputed. Replicas may run it together: a digest
 * is stored once per sequence.
 */
export class DigestJob {
  private timer?: ReturnType<typeof setInterval>;
  private running?: Promise<unknown>;

  constructor(
    private readonly ds: DataSource,
    private readonly rpc: RpcClient,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((e: unknown) =>
        logger.warn({ err: (e as Error).message }, 'audit digest not signed; retried on the next run'),
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Signs and stores a digest of the head unless the head is digested already; returns its sequence. */
  async runOnce(): Promise<number | undefined> {
    const records = this.ds.getRepository(AuditRecordEntity);
    const digests = this.ds.getRepository(AuditDigestEntity);
    const [head] = await records.find({
      select: { sequence: true, hash: true },
      order: { sequence: 'DESC' },
      take: 1,
    });
    if (!head) return undefined;
    const [last] = await digests.find({ select: { sequence: true }, order: { sequence: 'DESC' }, take: 1 });
    if (last && last.sequence >= head.sequence) return undefined;
    const req: SignAuditDigestRequest = {
      requestId: `digest-${randomUUID()}`,
      sequence: head.sequence,
      hash: head.hash,
    };
    const signed = await this.rpc.send<SignedDocumentDto>(Subjects.signing.auditDigest, req);
    const doc = signed.document as unknown as AuditDigest;
    const check = verifyAuditDigest(signed as unknown as Signed<AuditDigest>);
    if (!check.ok || doc.sequence !== head.sequence || doc.hash !== head.hash) {
      throw new Error(
        `the signed digest does not match the chain head (${check.ok ? 'other head' : check.reason})`,
      );
    }
    await digests
      .createQueryBuilder()
      .insert()
      .values({
        sequence: doc.sequence,
        hash: doc.hash,
        time: new Date(doc.time),
        signed: JSON.stringify(signed),
      })
      .orIgnore()
      .execute();
    logger.info({ sequence: doc.sequence, signer: check.fingerprint }, 'audit digest signed');
    return doc.sequence;
  }
}
