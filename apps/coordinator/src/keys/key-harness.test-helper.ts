/**
 * Tests only (excluded from the build): the coordinator's key pieces wired to the in-memory fakes of libs/testing,
 * so every use-case spec starts from the same KeyResolver, PolicyClient and HsmRouter stand-ins.
 */
import { type RpcClient, loadConfig } from '@symbolon/platform';

import { InMemoryAliasStore } from '../../../../libs/testing/src/fakes/in-memory-alias-store.js';
import { InMemoryKeyAdminStore } from '../../../../libs/testing/src/fakes/in-memory-key-admin-store.js';
import { type KeyFakes, asFake, newKeyFakes } from '../../../../libs/testing/src/fakes/index.js';
import type { AliasRepository } from '../aliases/alias.repository.js';
import { coordinatorEnv } from '../config.js';
import { PolicyClient } from '../policy/policy.client.js';
import type { HsmRouter } from '../routing/hsm-router.js';
import type { KeyAdminRepository } from './key-admin.repository.js';
import { KeyResolver } from './key-resolver.js';
import type { KeyRepository } from './key.repository.js';

export function keyHarness(
  opts: { region?: string; domainGeneration?: number; keyCacheTtlMs?: number } = {},
) {
  const region = opts.region ?? 'us-east-1';
  const fakes: KeyFakes = newKeyFakes({ region, domainGeneration: opts.domainGeneration ?? 1 });
  const config = loadConfig(coordinatorEnv, {
    SYMBOLON_REGION: region,
    ...(opts.keyCacheTtlMs !== undefined ? { SYMBOLON_KEY_CACHE_TTL_MS: String(opts.keyCacheTtlMs) } : {}),
  });
  const repo = asFake<KeyRepository>(fakes.store);
  const aliasStore = new InMemoryAliasStore();
  const adminStore = new InMemoryKeyAdminStore();
  const aliases = asFake<AliasRepository>(aliasStore);
  const rpcClient = asFake<RpcClient>(fakes.rpc);
  const policy = new PolicyClient(rpcClient);
  const resolver = new KeyResolver(repo, policy, config, aliases);
  return {
    ...fakes,
    rpcClient,
    policy,
    config,
    repo,
    resolver,
    router: asFake<HsmRouter>(fakes.hsm),
    aliasStore,
    aliases,
    adminStore,
    admin: asFake<KeyAdminRepository>(adminStore),
  };
}
