import { RpcClient, inboxPrefix } from '@symbolon/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A request/reply client of the `npm start` platform in `dataDir`, as the operators' NATS user (role `operator`: it
 * may publish kms.v1.domain.> only), with the nkey the launcher keeps in the data folder: what `symbolon domain` does,
 * for tests and the bench.
 */
export async function operatorClient(dataDir: string, name: string, timeoutMs = 10_000): Promise<RpcClient> {
  const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { natsUrl: string };
  const url = new URL(runtime.natsUrl);
  const rpc = new RpcClient(`${url.protocol}//${url.host}`, name, timeoutMs, {
    nkeySeedFile: join(dataDir, 'nats', 'keys', 'operator.nk'),
    inboxPrefix: inboxPrefix('operator'),
  });
  await rpc.connect();
  return rpc;
}
