import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

// The AWS SDK's notice that its releases after January 2027 need Node 22: the versions this project pins run on Node
// 20, and the notice would precede every command's output. Set the variable to anything else to see it.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

import { type AdminResponse, callAdmin, readCredentials } from './admin-client.js';
import {
  type AdminCommand,
  EXPORT_PAGE_SIZE,
  type FileField,
  type StepsCommand,
  type StepsName,
  USAGE,
  UsageError,
  parseArgs,
} from './args.js';
import { exportChain, verifyChain } from './audit-chain.js';
import { ENVELOPE_USAGE, type EnvelopeIo, isEnvelopeCommand, runEnvelope } from './envelope-commands.js';
import {
  domainCancel,
  domainPropose,
  domainSign,
  domainStatus,
  domainSubmit,
  operatorKeygen,
} from './domain-commands.js';
import { reinstate, shred, signingKey, suspend, verifyShred } from './key-commands.js';
import { lazyDomainCall } from './nats-client.js';
import { type Io, LocalError, READ_FAILURES, Refused, type StepContext, type Steps } from './steps.js';

export type { Io } from './steps.js';

/** The commands made of steps, by the name their CommandSpec gives as `run`. */
const STEPS: Readonly<Record<StepsName, Steps>> = {
  shred,
  'verify-shred': verifyShred,
  'signing-key': signingKey,
  suspend,
  reinstate,
  'export-chain': exportChain,
  'verify-chain': verifyChain,
  'operator-keygen': operatorKeygen,
  'domain-status': domainStatus,
  'domain-propose': domainPropose,
  'domain-sign': domainSign,
  'domain-submit': domainSubmit,
  'domain-cancel': domainCancel,
};

/** Runs `symbolon <argv>`; prints the answer as JSON (errors on stderr) and resolves to the exit code. */
export async function run(argv: readonly string[], io: EnvelopeIo): Promise<number> {
  if (isEnvelopeCommand(argv[0])) return runEnvelope(argv, io);
  let command;
  try {
    command = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n${USAGE}\n${ENVELOPE_USAGE}\n`);
    return 2;
  }
  if ('run' in command) {
    if (!command.nats) return runSteps(command, stepContext(command, io));
    // The operators' commands go over NATS: connected on the first request, closed when the command is done.
    const nats = lazyDomainCall(command.nats);
    try {
      return await runSteps(command, { io, call: offlineCall, domain: nats.call });
    } finally {
      await nats.close();
    }
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
  const send = (body: Record<string, unknown>) =>
    callAdmin({
      endpoint: command.endpoint,
      credentials,
      region: command.region ?? credentials.region ?? 'us-east-1',
      operation: command.operation,
      body,
      ...(command.service ? { service: command.service } : {}),
    });
  if (command.exportTo !== undefined) return exportEvents(command, command.exportTo, send, io);
  return print(await send({ ...command.body, ...fromFiles }), io);
}

const offlineCall = () => Promise.reject(new Error(`an offline command tried to send a request`));

/** Requests signed with the command's credentials; offline commands get a `call` that refuses. */
function stepContext(command: StepsCommand, io: Io): StepContext {
  const { connection } = command;
  if (!connection) return { io, call: offlineCall };
  const credentials = readCredentials(connection.credentialsFile);
  return {
    io,
    call: (operation, body) =>
      callAdmin({
        endpoint: connection.endpoint,
        credentials,
        region: connection.region ?? credentials.region ?? 'us-east-1',
        service: 'Symbolon',
        operation,
        body,
      }),
    ...(typeof credentials.accountId === 'string' ? { accountId: credentials.accountId } : {}),
  };
}

/**
 * Runs a command made of steps with `ctx` (tests pass a fake `call`): a platform refusal is printed as JSON on stderr
 * (exit 1), a local problem as `symbolon: <message>` (its exit code).
 */
export async function runSteps(command: StepsCommand, ctx: StepContext): Promise<number> {
  try {
    return await STEPS[command.run](command, ctx);
  } catch (e) {
    if (e instanceof Refused) {
      ctx.io.err(`${JSON.stringify(e.body, null, 2)}\n`);
      return 1;
    }
    if (e instanceof LocalError) {
      ctx.io.err(`symbolon: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

function print(res: AdminResponse, io: Io): number {
  const text = `${JSON.stringify(res.body, null, 2)}\n`;
  if (res.status === 200) {
    io.out(text);
    return 0;
  }
  io.err(text);
  return 1;
}

type Send = (body: Record<string, unknown>) => Promise<AdminResponse>;

/**
 * `audit export`: creates `file` (mode 0600, never over an existing one) before sending anything, then asks for pages
 * of EXPORT_PAGE_SIZE events, following NextMarker until the platform says it is done, and writes each event as one
 * line of JSON. Prints `{Count, Out}`. On an error answer the partial file is removed and the answer goes to stderr.
 */
async function exportEvents(command: AdminCommand, file: string, send: Send, io: Io): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    const cause = code === 'EEXIST' ? 'it already exists (not overwriting)' : (READ_FAILURES[code] ?? code);
    io.err(`symbolon: cannot create --out ${file}: ${cause}\n`);
    return 2;
  }
  let count = 0;
  let failure: AdminResponse | undefined;
  let complete = false;
  try {
    let marker: string | undefined;
    for (;;) {
      const res = await send({
        ...command.body,
        Limit: EXPORT_PAGE_SIZE,
        ...(marker !== undefined ? { Marker: marker } : {}),
      });
      const page = res.status === 200 ? readPage(res.body, marker) : undefined;
      if (!page) {
        failure = res.status === 200 ? invalidPage(res.body) : res;
        break;
      }
      if (page.events.length > 0)
        await handle.write(page.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      count += page.events.length;
      if (page.next === undefined) break;
      marker = page.next;
    }
    complete = failure === undefined;
  } finally {
    await handle.close();
    // No partial export left behind that could pass for a whole one.
    if (!complete) rmSync(file, { force: true });
  }
  if (failure) return print(failure, io);
  io.out(`${JSON.stringify({ Count: count, Out: file }, null, 2)}\n`);
  return 0;
}

/** One ListAuditEvents page: its events and the marker of the next page, if any; undefined when malformed. */
function readPage(
  body: Record<string, unknown>,
  marker: string | undefined,
): { events: unknown[]; next?: string } | undefined {
  const { Events, Truncated, NextMarker } = body;
  if (!Array.isArray(Events)) return undefined;
  if (Truncated !== true) return { events: Events };
  // A truncated page must move on, or the export would loop forever.
  if (typeof NextMarker !== 'string' || NextMarker === '' || NextMarker === marker) return undefined;
  return { events: Events, next: NextMarker };
}

function invalidPage(body: Record<string, unknown>): AdminResponse {
  const why = Array.isArray(body['Events']) ? 'is truncated without a new NextMarker' : 'has no Events list';
  return { status: 0, body: { __type: 'InvalidResponse', message: `a ListAuditEvents page ${why}` } };
}

/** A `file://` option value whose file cannot be read. The message names the option, path and cause, never content. */
export class FileFieldError extends Error {}

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
    stdin: process.stdin,
    stdout: process.stdout,
    interactive: process.stderr.isTTY === true,
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
