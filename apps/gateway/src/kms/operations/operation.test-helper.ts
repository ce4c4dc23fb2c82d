/** Tests only (excluded from the build): run a registered AWS operation against a recording coordinator. */
import type { TenantScopedRequest } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { RecordingRpc, asFake } from '../../../../../libs/testing/src/fakes/index.js';
import { AwsError } from '../aws-error.js';
import { Input } from './input.js';
import type { OperationResult } from './operation.js';
import { Operations } from './registry.js';
import { symbolonOperations } from './symbolon-operations.js';

export const SCOPE: TenantScopedRequest = {
  requestId: 'req-1',
  tenantId: '111122223333',
  principal: 'arn:aws:iam::111122223333:user/admin',
};
export const KEY_ID = '6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11';
export const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;

/** `aws`: the TrentService operations; `symbolon`: Symbolon's own (`Symbolon.<name>`). */
export type OperationSet = 'aws' | 'symbolon';

export function run(
  name: string,
  body: Record<string, unknown>,
  rpc = new RecordingRpc(),
  set: OperationSet = 'aws',
): Promise<OperationResult> {
  const op = (set === 'aws' ? Operations : symbolonOperations)[name];
  if (!op) throw new Error(`no operation ${name}`);
  return op({ input: new Input(body), scope: SCOPE, rpc: asFake<RpcClient>(rpc), audit: {} });
}

/** The AwsError the operation answers; with no rpc given, also that it refused before calling the coordinator. */
export async function refusal(
  name: string,
  body: Record<string, unknown>,
  rpc?: RecordingRpc,
  set: OperationSet = 'aws',
): Promise<AwsError> {
  const used = rpc ?? new RecordingRpc();
  try {
    await run(name, body, used, set);
  } catch (e) {
    if (e instanceof AwsError) {
      if (!rpc) expect(used.calls).toEqual([]);
      return e;
    }
    throw e;
  }
  throw new Error(`${name} did not refuse ${JSON.stringify(body)}`);
}
