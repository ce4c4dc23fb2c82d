import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { HsmActions, type HsmDestroyKeyReply, ROTATION_PERIOD_DAYS, Subjects } from '@symbolon/contracts';
import { type RpcClient, logger } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';

import { CLOCK, type Clock, addDays } from '../clock.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { HsmRouter } from '../routing/hsm-router.js';
import { KeyLifecycleRepository } from '../keys/key-lifecycle.repository.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { KeyRotator } from '../keys/key-rotator.js';
import type { KeyEntity } from '../keys/key.entity.js';
import { RPC } from '../tokens.js';
import { Rewrap } from './rewrap.js';
import { WearOut } from './wear-out.js';

/** Most keys of each kind handled per run; the rest wait for the next run. */
export const JOB_BATCH = 100;
/** Most EKTs named in one destroy-key request (the contract's bound). */
const EKTS_PER_REQUEST = 1000;

export interface JobRun {
  /** ARNs of the keys deleted in this run. */
  deleted: string[];
  /** ARNs of the keys given a new AUTOMATIC version in this run. */
  rotated: string[];
}

/**
 * Every SYMBOLON_JOB_INTERVAL_MS: (a) deletes keys whose deletion date has passed - first every hsm node of the domain
 * drops any cached unwrapped copy of the key's versions, then the key row, its versions (EKTs), aliases and tags go
 * in one transaction; a node that cannot be reached leaves the key for the next run; (b) gives Enabled keys whose next
 * rotation date has passed a new AUTOMATIC version (older versions keep decrypting). Replicas may run it at the same
 * time: deletions and rotations are guarded in the database, so each happens once. (c) after a domain-key rotation,
 * re-wraps the EKTs still under an older generation (Rewrap).
 */
@Injectable()
export class KeyLifecycleJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: ReturnType<typeof setInterval>;
  private running?: Promise<void>;

  constructor(
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
    @Inject(KeyRotator) private readonly rotator: KeyRotator,
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    /** Without it (specs of deletion and scheduled rotation) no wear-out check runs. */
    @Optional() @Inject(WearOut) private readonly wearOut?: WearOut,
    /** Without it no EKT is re-wrapped after a domain-key rotation. */
    @Optional() @Inject(Rewrap) private readonly rewrap?: Rewrap,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.SYMBOLON_JOB_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run unless one is still going. */
  tick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((e: unknown) => logger.error({ err: e }, 'key lifecycle job failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  async runOnce(): Promise<JobRun> {
    const now = this.clock.now();
    const run: JobRun = { deleted: [], rotated: [] };
    for (const key of await this.lifecycle.dueForDeletion(now, JOB_BATCH)) {
      try {
        if (await this.deleteKey(key, now)) run.deleted.push(key.arn);
      } catch (e) {
        logger.warn({ keyArn: key.arn, err: e }, 'key deletion failed; retried on the next run');
      }
    }
    for (const key of await this.lifecycle.dueForRotation(now, JOB_BATCH)) {
      try {
        if (await this.rotate(key, now)) run.rotated.push(key.arn);
      } catch (e) {
        logger.warn({ keyArn: key.arn, err: e }, 'automatic rotation failed; retried on the next run');
      }
    }
    if (this.wearOut) {
      try {
        run.rotated.push(...(await this.wearOut.run(now)));
      } catch (e) {
        logger.warn({ err: e }, 'wear-out check failed; retried on the next run');
      }
    }
    if (this.rewrap) {
      try {
        await this.rewrap.run();
      } catch (e) {
        logger.warn(
          { err: (e as Error).message },
          're-wrap after a domain-key rotation failed; retried on the next run',
        );
      }
    }
    if (run.deleted.length + run.rotated.length > 0) logger.info(run, 'key lifecycle job');
    return run;
  }

  private async deleteKey(key: KeyEntity, now: Date): Promise<boolean> {
    const ekts = (await this.lifecycle.versionsOf(key.id)).map((v) => v.ekt);
    const requestId = `job-${randomUUID()}`;
    for (let i = 0; i < ekts.length; i += EKTS_PER_REQUEST) {
      await this.hsm.forKey(key).callEach<HsmDestroyKeyReply>(HsmActions.destroyKey, {
        requestId,
        ekts: ekts.slice(i, i + EKTS_PER_REQUEST),
      });
    }
    const deleted = await this.lifecycle.deleteDue(key.id, now);
    this.resolver.forget(key.tenantId, key.id);
    if (deleted) await this.forgetPolicies(key, requestId);
    return deleted;
  }

  /**
   * The deleted key's policy and grants go too. A failure leaves them orphaned, which is harmless (a key ARN is never
   * used again and nothing can name the deleted key), so it is logged and the run goes on.
   */
  private async forgetPolicies(key: KeyEntity, requestId: string): Promise<void> {
    try {
      await this.rpc.send(Subjects.policy.forgetKey, {
        requestId,
        tenantId: key.tenantId,
        principal: `arn:aws:iam::${key.tenantId}:root`,
        keyArn: key.arn,
        keyAccountId: key.tenantId,
      });
    } catch (e) {
      logger.warn({ keyArn: key.arn, err: (e as Error).message }, 'policies of a deleted key not dropped');
    }
  }

  private async rotate(key: KeyEntity, now: Date): Promise<boolean> {
    const period = key.rotationPeriodDays ?? ROTATION_PERIOD_DAYS.default;
    const version = await this.rotator.rotate(key, 'AUTOMATIC', `job-${randomUUID()}`, now, {
      nextRotationDate: addDays(now, period),
    });
    this.resolver.forget(key.tenantId, key.id);
    return version !== undefined;
  }
}
