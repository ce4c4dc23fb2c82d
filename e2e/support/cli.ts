/** `symbolon <args>` in process against a running platform, as the e2e suites use the CLI. */
import type { TestPlatform } from '@symbolon/testing';

import { COMMAND_GROUPS } from '../../apps/cli/src/args.js';
import { isEnvelopeCommand } from '../../apps/cli/src/envelope-commands.js';
import { run } from '../../apps/cli/src/main.js';

/**
 * Whether `symbolon <group> <command>` talks to the gateway: commands that run offline or over NATS (given --runtime)
 * refuse --endpoint and --credentials.
 */
function viaGateway(group: string | undefined, command: string | undefined): boolean {
  // Envelope commands name their endpoints in their configuration file.
  if (isEnvelopeCommand(group)) return false;
  const spec = group && command ? COMMAND_GROUPS[group]?.[command] : undefined;
  return spec === undefined || !('offline' in spec || 'via' in spec);
}

/** Runs the CLI with the platform's endpoint and credentials (for gateway commands); exit code and output. */
export async function symbolon(
  platform: TestPlatform,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const connection = viaGateway(args[0], args[1])
    ? ['--endpoint', platform.endpoint, '--credentials', platform.credentialsFile]
    : [];
  const code = await run([...args, ...connection], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
