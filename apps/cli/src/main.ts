import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { callAdmin, readCredentials } from './admin-client.js';
import { type FileField, USAGE, UsageError, parseArgs } from './args.js';

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
  let fromFiles: Record<string, string>;
  try {
    fromFiles = readFileFields(command.files ?? []);
  } catch (e) {
    if (!(e instanceof FileFieldError)) throw e;
    io.err(`symbolon: ${e.message}\n`);
    return 2;
  }
  const credentials = readCredentials(command.credentialsFile);
  const res = await callAdmin({
    endpoint: command.endpoint,
    credentials,
    region: command.region ?? credentials.region ?? 'us-east-1',
    operation: command.operation,
    body: { ...command.body, ...fromFiles },
  });
  const text = `${JSON.stringify(res.body, null, 2)}\n`;
  if (res.status === 200) {
    io.out(text);
    return 0;
  }
  io.err(text);
  return 1;
}

/** A `file://` option value whose file cannot be read. The message names the option, path and cause, never content. */
export class FileFieldError extends Error {}

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** Reads each `file://` option's file as UTF-8 text, keyed by its request field (the aws cli's `file://`). */
export function readFileFields(files: readonly FileField[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const { field, option, path } of files) {
    try {
      fields[field] = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new FileFieldError(`cannot read --${option} file://${path}: ${READ_FAILURES[code] ?? code}`);
    }
  }
  return fields;
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
