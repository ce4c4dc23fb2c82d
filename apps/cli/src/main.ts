import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { callAdmin, readCredentials } from './admin-client.js';
import { USAGE, UsageError, parseArgs } from './args.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Runs `symbolon <argv>`; prints the answer as JSON (errors on stderr) and resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  const credentials = readCredentials(command.credentialsFile);
  const res = await callAdmin({
    endpoint: command.endpoint,
    credentials,
    region: command.region ?? credentials.region ?? 'us-east-1',
    operation: command.operation,
    body: command.body,
  });
  const text = `${JSON.stringify(res.body, null, 2)}\n`;
  if (res.status === 200) {
    io.out(text);
    return 0;
  }
  io.err(text);
  return 1;
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  run(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`symbolon: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
