/**
 * Tests only (excluded from the build): keyHarness plus the lifecycle pieces - the in-memory KeyLifecycleRepository
 * over the same key store, a KeyRotator on the fake hsm router, and a clock the spec moves.
 */
import { asFake, InMemoryKeyLifecycleStore } from '../../../../libs/testing/src/fakes/index.js';
import { type Clock, DAY_MS } from '../clock.js';
import { keyHarness } from './key-harness.test-helper.js';
import type { KeyLifecycleRepository } from './key-lifecycle.repository.js';
import { KeyRotator } from './key-rotator.js';

export class FakeClock implements Clock {
  constructor(private current = new Date('2025-03-01T12:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * DAY_MS);
  }

  advanceMs(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function lifecycleHarness(opts: { region?: string; keyCacheTtlMs?: number } = {}) {
  const h = keyHarness({ region: opts.region ?? 'eu-west-1', keyCacheTtlMs: opts.keyCacheTtlMs ?? 60_000 });
  const lifecycleStore = new InMemoryKeyLifecycleStore(h.store);
  const lifecycle = asFake<KeyLifecycleRepository>(lifecycleStore);
  const clock = new FakeClock();
  const rotator = new KeyRotator(h.router, lifecycle);
  return { ...h, lifecycleStore, lifecycle, clock, rotator };
}

export const scope = (tenantId: string, requestId = 'req-lifecycle') => ({
  requestId,
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

/** The KmsError (or other error) a promise rejects with; fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}
