/**
 * The one helper coordinator key specs start from (in the spirit of immich's newTestService): an in-memory key store,
 * a FakeHsmRouter, and a RecordingRpc that answers kms.v1.policy.evaluate with a decision the spec can change.
 * The spec wires these into the real KeyResolver, PolicyClient and use cases with `asFake`.
 */
import { type DecisionDto, Subjects } from '@symbolon/contracts';

import { FakeHsmRouter } from './fake-hsm-router.js';
import { InMemoryKeyStore } from './in-memory-key-store.js';
import { type KeyRow, type KeyVersionRow, type SeedKeyOptions, seedKey } from './key-rows.js';
import { RecordingRpc } from './recording-rpc.js';

export const ALLOW_DECISION: DecisionDto = Object.freeze({ effect: 'ALLOW', reason: 'test: allowed' });

export interface KeyFakes {
  store: InMemoryKeyStore<KeyRow, KeyVersionRow>;
  hsm: FakeHsmRouter;
  rpc: RecordingRpc;
  /** The decision policy answers from now on (ALLOW_DECISION at first). */
  decide(decision: DecisionDto): void;
  /** The kms.v1.policy.evaluate requests made so far. */
  policyRequests(): Record<string, unknown>[];
  seed(tenantId: string, opts?: SeedKeyOptions): Promise<{ key: KeyRow; versions: KeyVersionRow[] }>;
}

export function newKeyFakes(opts: { region?: string; domainGeneration?: number } = {}): KeyFakes {
  const store = new InMemoryKeyStore<KeyRow, KeyVersionRow>();
  const hsm = new FakeHsmRouter(opts.domainGeneration ?? 1);
  let decision: DecisionDto = ALLOW_DECISION;
  const rpc = new RecordingRpc().on(Subjects.policy.evaluate, () => ({ ...decision }));
  return {
    store,
    hsm,
    rpc,
    decide: (d) => void (decision = d),
    policyRequests: () => rpc.to(Subjects.policy.evaluate).map((c) => c.payload),
    seed: (tenantId, seedOpts = {}) => seedKey(store, hsm, tenantId, { region: opts.region, ...seedOpts }),
  };
}
