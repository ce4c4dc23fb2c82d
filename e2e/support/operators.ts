/** NATS clients of a running platform for the domain suites: the tooling user and the operators' user. */
import { RpcClient } from '@symbolon/platform';
import type { TestPlatform } from '@symbolon/testing';
import { type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { operatorClient as connectOperator } from '../../deploy/local/operator-client.js';

function natsUrl(platform: TestPlatform): string {
  return (JSON.parse(readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8')) as { natsUrl: string })
    .natsUrl;
}

/** The tooling user: every subject, so it can reach an hsm node past the coordinator. */
export async function toolingClient(platform: TestPlatform): Promise<RpcClient> {
  const rpc = new RpcClient(natsUrl(platform), 'e2e-tooling', 10_000);
  await rpc.connect();
  return rpc;
}

/** The operators' user (NATS role `operator`, kms.v1.domain.> only), with its own nkey and inbox as `symbolon domain`. */
export function operatorClient(platform: TestPlatform): Promise<RpcClient> {
  return connectOperator(platform.dataDir, 'e2e-operator');
}

/** The development domain's operator (1-of-1 for every change), whose key `npm start` keeps in the data folder. */
export function developmentOperator(platform: TestPlatform): { id: string; privateKey: KeyObject } {
  return {
    id: 'operator-1',
    privateKey: createPrivateKey(readFileSync(join(platform.dataDir, 'operator-1.key.pem'))),
  };
}
