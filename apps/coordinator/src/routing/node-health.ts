import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HsmActions, type HsmHealthReply, hsmSubject } from '@symbolon/contracts';
import { type RpcClient, logger, registry } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';
import { Gauge } from 'prom-client';

import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { DomainService } from '../domain/domain.service.js';
import { RPC } from '../tokens.js';

const upGauge = new Gauge({
  name: 'kms_hsm_node_up',
  help: 'Whether the coordinator routes to an hsm node of the domain first (1) or holds it back after a failure (0)',
  labelNames: ['node'],
  registers: [registry],
});

/**
 * Which members of the domains the router sends to first. A node is held back when a request to it fails for a reason
 * of the node (timeout, no responder, token unavailable) or a health check finds it not ready (no key of the active
 * generation, e.g. while it joins); a health check that finds it ready routes to it again. Every
 * SYMBOLON_HSM_HEALTH_INTERVAL_MS each member of every domain is asked (`health`, one second at most).
 */
@Injectable()
export class NodeHealth implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly held = new Set<string>();
  private checking = false;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    @Inject(RPC) private readonly rpc: RpcClient,
    @Inject(DomainService) private readonly domain: DomainService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.SYMBOLON_HSM_HEALTH_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.check(), every);
      this.timer.unref();
    }
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  isUp(nodeId: string): boolean {
    return !this.held.has(nodeId);
  }

  /** The members held back now. */
  heldBack(): string[] {
    return [...this.held];
  }

  holdBack(nodeId: string, reason: string): void {
    if (!this.held.has(nodeId)) logger.warn({ nodeId, reason }, 'hsm node held back');
    this.held.add(nodeId);
    upGauge.set({ node: nodeId }, 0);
  }

  /** Asks every member for its health: one that answers ready is routed to again, any other is held back. */
  async check(): Promise<void> {
    // One check at a time: a slow one must not release a node a request held back meanwhile.
    if (this.checking) return;
    this.checking = true;
    try {
      await this.checkMembers();
    } finally {
      this.checking = false;
    }
  }

  private async checkMembers(): Promise<void> {
    const members = this.domain.all().flatMap((d) => d.state.members);
    await Promise.all(
      members.map(async ({ nodeId }) => {
        try {
          const h = await this.rpc.send<HsmHealthReply>(
            hsmSubject(nodeId, HsmActions.health),
            { requestId: `health-${randomUUID()}` },
            Math.min(this.config.SYMBOLON_HSM_TIMEOUT_MS, 1000),
          );
          if (h.ok && h.ready) this.release(nodeId);
          else this.holdBack(nodeId, h.ok ? 'no key of the active generation' : 'token not ok');
        } catch (e) {
          this.holdBack(nodeId, (e as Error).message);
        }
      }),
    );
    for (const nodeId of this.held) if (!members.some((m) => m.nodeId === nodeId)) this.held.delete(nodeId);
  }

  private release(nodeId: string): void {
    if (this.held.delete(nodeId)) logger.info({ nodeId }, 'hsm node routed to again');
    upGauge.set({ node: nodeId }, 1);
  }
}
