import { Inject, Injectable } from '@nestjs/common';
import {
  type RequestHandledEvent,
  Subjects,
  type WornVersionsReply,
  type WornVersionsRequest,
} from '@symbolon/contracts';
import { type AuditPublisher, type RpcClient, logger } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { parseKeyId } from '../keys/key-id.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { KeyRotator } from '../keys/key-rotator.js';
import { JOB_EVENTS, AUDIT_RPC } from '../tokens.js';

/** A version is rotated away from once it has done this share of the wear-out limit: well before the limit. */
export const ROTATE_AT_SHARE = 0.9;
const BATCH = 100;

/**
 * Wear-out: AES-GCM with random 96-bit nonces must not seal more than about 2^32 messages under one key. Audit counts
 * the encryptions of every key version; once the current version of an Enabled key reaches ROTATE_AT_SHARE of
 * SYMBOLON_KEY_WEAROUT_LIMIT, the key gets a new version (older versions keep decrypting) and the rotation is recorded
 * in the audit chain like a request. Guarded in the database like every rotation: replicas rotate a key once.
 */
@Injectable()
export class WearOut {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyRotator) private readonly rotator: KeyRotator,
    @Inject(AUDIT_RPC) private readonly rpc: RpcClient,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(JOB_EVENTS) private readonly events: Pick<AuditPublisher, 'publish'>,
  ) {}

  /** The rotation threshold: ROTATE_AT_SHARE of the limit, at least 1. */
  threshold(): number {
    return Math.max(1, Math.floor(this.config.SYMBOLON_KEY_WEAROUT_LIMIT * ROTATE_AT_SHARE));
  }

  /** Rotates every key whose current version reached the threshold; returns their ARNs. */
  async run(now: Date): Promise<string[]> {
    const atLeast = this.threshold();
    const query: WornVersionsRequest = { requestId: `job-${randomUUID()}`, atLeast, limit: BATCH };
    const worn = await this.rpc.send<WornVersionsReply>(Subjects.audit.worn, query);
    const rotated: string[] = [];
    for (const v of worn.versions) {
      const ref = parseKeyId(v.keyArn);
      if (ref.kind !== 'arn') continue;
      const { stored } = await this.resolver.find(ref.accountId, v.keyArn);
      const key = stored?.key;
      if (!key || key.keyState !== 'Enabled' || key.currentVersion !== v.keyVersion) continue;
      const requestId = `job-${randomUUID()}`;
      const version = await this.rotator.rotate(key, 'AUTOMATIC', requestId, now);
      this.resolver.forget(key.tenantId, key.id);
      if (!version) continue; // another replica rotated it first
      rotated.push(key.arn);
      const event: RequestHandledEvent = {
        requestId,
        time: now.toISOString(),
        tenantId: key.tenantId,
        principal: null,
        accessKeyId: null,
        sourceIp: 'coordinator',
        operation: 'Symbolon.WearOutRotation',
        keyArn: key.arn,
        keyVersion: version.version,
        encryptionContext: null,
        decision: {
          effect: 'ALLOW',
          reason: `wear-out: version ${v.keyVersion} sealed ${v.encryptions} times; rotation at ${atLeast}, limit ${this.config.SYMBOLON_KEY_WEAROUT_LIMIT}`,
        },
        outcome: 'ok',
        httpStatus: 0,
      };
      await this.events.publish(event);
      logger.info({ keyArn: key.arn, from: v.keyVersion, to: version.version }, 'wear-out rotation');
    }
    return rotated;
  }
}
