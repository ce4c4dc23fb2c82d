/**
 * `symbolon encrypt | decrypt | rewrap | inspect`: multi-authority envelopes (libs/sdk) on files or stdin / stdout, in
 * constant memory, with a progress bar on stderr for long work. Authorities and the scheme come from a configuration
 * file (libs/sdk/src/node `loadConfig`); no platform connection options: each KMS authority names its endpoint.
 */
import {
  type Authority,
  SdkError,
  decryptNodeStream,
  encryptNodeStream,
  getEnvelope,
  inspectEnvelope,
  loadConfig,
  putEnvelope,
  rewrapEnvelope,
  storageClient,
} from '@symbolon/sdk/node';
import { ENVELOPE_HEADER_MAX_LENGTH, ENVELOPE_PREFIX_LENGTH } from '@symbolon/formats';
import { SingleBar } from 'cli-progress';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, linkSync, openSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs as parseOptions } from 'node:util';

import type { Io } from './steps.js';

export const ENVELOPE_COMMANDS = ['encrypt', 'decrypt', 'rewrap', 'inspect', 'put', 'get'] as const;
type EnvelopeCommand = (typeof ENVELOPE_COMMANDS)[number];

export const ENVELOPE_USAGE = `envelope commands (no --endpoint / --credentials: the --config names each authority):
  encrypt --config <file> [--in <file>] [--out <file>] [--context <key=value> ...] [--progress]
  decrypt --config <file> [--in <file>] [--out <file>] [--context <key=value> ...] [--progress]
  rewrap --config <file> --from <authority id> --to <authority id> [--part <key|split.N>] --in <file> --out <file>
  inspect [--in <file>]
  put --config <file> --bucket <name> --key <key> [--in <file>] [--context <key=value> ...] [--progress]
  get --config <file> --bucket <name> --key <key> [--out <file>] [--context <key=value> ...]
  (--in / --out default to stdin / stdout; put and get use the configuration's "storage": an S3 endpoint)
  decrypt refuses an envelope that is not the configuration's scheme (authority ids, chain order, split shares in
  order) or whose context lacks a pair of the configuration's context or a --context given to it.
  An --out file appears only once the whole stream succeeded; decrypting to stdout may write an authenticated prefix
  of the plaintext before failing on a truncated or damaged envelope.`;

/** Where the data goes; tests and main give process.stdin / stdout, or none (then files are required). */
export interface EnvelopeIo extends Io {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Whether stderr is a terminal (the progress bar is drawn only there, unless --progress). */
  interactive?: boolean;
}

export function isEnvelopeCommand(name: string | undefined): name is EnvelopeCommand {
  return (ENVELOPE_COMMANDS as readonly string[]).includes(name ?? '');
}

class Usage extends Error {}

const SPEC = {
  config: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  context: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  part: { type: 'string' },
  progress: { type: 'boolean' },
  bucket: { type: 'string' },
  key: { type: 'string' },
} as const;

/** Runs one envelope command; resolves to the exit code (2: usage, 1: refused or failed). */
export async function runEnvelope(argv: readonly string[], io: EnvelopeIo): Promise<number> {
  const [command, ...rest] = argv as [EnvelopeCommand, ...string[]];
  try {
    const { values, positionals } = parseOptions({
      args: [...rest],
      options: SPEC,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Usage(`unexpected argument ${positionals[0]}`);
    const allowed: Record<EnvelopeCommand, string[]> = {
      encrypt: ['config', 'in', 'out', 'context', 'progress'],
      decrypt: ['config', 'in', 'out', 'context', 'progress'],
      rewrap: ['config', 'from', 'to', 'part', 'in', 'out'],
      inspect: ['in'],
      put: ['config', 'bucket', 'key', 'in', 'context', 'progress'],
      get: ['config', 'bucket', 'key', 'out', 'context'],
    };
    for (const name of Object.keys(values)) {
      if (!allowed[command].includes(name)) throw new Usage(`${command} takes no --${name}`);
    }
    if (command === 'inspect') return await inspect(values.in, io);
    if (!values.config) throw new Usage(`${command} needs --config <file>`);
    if (command === 'rewrap') {
      const { from, to, part, in: input, out } = values;
      if (!from || !to || !input || !out) throw new Usage('rewrap needs --from, --to, --in and --out');
      const { authorities } = await loadConfig(values.config);
      return await rewrap(authorities, from, to, part, input, out, io);
    }
    const { config, authorities } = await loadConfig(values.config);
    if (command === 'put' || command === 'get') {
      const { bucket, key } = values;
      if (!bucket || !key) throw new Usage(`${command} needs --bucket and --key`);
      const at = { client: await storageClient(values.config, config), bucket, key };
      const context = { ...(config.context ?? {}), ...parseContext(values.context ?? []) };
      if (command === 'put') {
        const { input, done } = source(values.in, io, values.progress === true, 'put');
        const stored = await putEnvelope(input, at, { scheme: config.scheme, authorities, context }).finally(
          done,
        );
        io.out(`${JSON.stringify({ Stored: `${bucket}/${key}`, ETag: stored.etag, Size: stored.size })}\n`);
        return 0;
      }
      const plaintext = await getEnvelope(at, { authorities, expect: { scheme: config.scheme, context } });
      const into = (sink: Writable) => pipeline(plaintext, sink);
      if (!values.out && !io.stdout) throw new Usage('--out <file> is required here');
      await (values.out ? writeWhole(values.out, into) : into(io.stdout as Writable));
      if (values.out) io.out(`${JSON.stringify({ Decrypted: values.out })}\n`);
      return 0;
    }
    // On decrypt, the pairs are required of the envelope's context, and its scheme must be the configuration's: an
    // envelope someone made with fewer of the authorities (a weaker scheme) is refused, not decrypted.
    const context = { ...(config.context ?? {}), ...parseContext(values.context ?? []) };
    const transform =
      command === 'encrypt'
        ? await encryptNodeStream({ scheme: config.scheme, authorities, context })
        : decryptNodeStream({ authorities, expect: { scheme: config.scheme, context } });
    await stream(transform, values.in, values.out, io, values.progress === true, command);
    if (values.out)
      io.out(`${JSON.stringify({ [command === 'encrypt' ? 'Encrypted' : 'Decrypted']: values.out })}\n`);
    return 0;
  } catch (e) {
    // node:util's parse errors are known by their code (in a test VM their TypeError is another realm's).
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if (e instanceof Usage || code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`symbolon: ${(e as Error).message}\n${ENVELOPE_USAGE}\n`);
      return 2;
    }
    if (e instanceof SdkError && e.code === 'UNEXPECTED_ENVELOPE') {
      io.err(
        `symbolon: ${command} refused: the envelope is not what the configuration expects: ${e.message}\n`,
      );
      return 1;
    }
    if (e instanceof SdkError) {
      const who = e.authorityId !== undefined ? ` (authority ${e.authorityId})` : '';
      io.err(`symbolon: ${command} failed${who}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('E')) {
      io.err(`symbolon: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * The --context pairs as a plain object of own properties: built by Object.fromEntries, so a key like `__proto__` is a
 * pair like any other (an assignment would set the prototype instead and drop it). A key given twice is refused.
 */
function parseContext(pairs: readonly string[]): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Usage(`--context takes key=value, not ${pair.slice(0, 80)}`);
    const key = pair.slice(0, eq);
    if (seen.has(key)) throw new Usage(`--context gives the key ${key.slice(0, 80)} more than once`);
    seen.add(key);
    entries.push([key, pair.slice(eq + 1)]);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The exit code of a shell for a process ended by `signal`. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `cleanup` if SIGINT or SIGTERM arrives while `run` goes on, then exits as the signal's default would (130,
 * 143): an interrupted decryption leaves no partial plaintext. The handlers are in place only for `run`'s duration.
 */
async function cleanedUpOnSignal<T>(cleanup: () => void, run: () => Promise<T>): Promise<T> {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      cleanup();
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    return await run();
  } finally {
    handlers.forEach((off) => off());
  }
}

/**
 * Writes `output` whole or not at all: into a new temporary file beside it (created exclusively), made durable, then
 * linked to `output`, which must not exist (never overwritten). A failure or SIGINT / SIGTERM removes the temporary
 * file: no partial plaintext is left behind.
 */
async function writeWhole(output: string, write: (sink: Writable) => Promise<void>): Promise<void> {
  const temp = `${output}.${randomBytes(6).toString('hex')}.partial`;
  // Only a file this call created is removed: with 'wx' a name that already existed is never opened, and stays.
  let created = false;
  const removeTemp = () => {
    if (created) rmSync(temp, { force: true });
  };
  try {
    const handle = await open(temp, 'wx', 0o600);
    created = true;
    await cleanedUpOnSignal(removeTemp, () => write(handle.createWriteStream()));
    // The stream closed the handle; fsync of another descriptor flushes the same file's data.
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, output);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      throw new Usage(`--out ${output} already exists (not overwriting)`);
    }
  } finally {
    removeTemp();
  }
}

/**
 * Pipes --in (or stdin) through `transform` into --out (writeWhole) or stdout. Stdout gets each chunk as it
 * authenticates, so a truncated envelope can leave an authenticated prefix there before the failure.
 */
async function stream(
  transform: Transform,
  input: string | undefined,
  output: string | undefined,
  io: EnvelopeIo,
  forceProgress: boolean,
  label: string,
): Promise<void> {
  if (!output && !io.stdout) throw new Usage('--out <file> is required here');
  const { input: counted, done } = source(input, io, forceProgress, label);
  const into = (sink: Writable) => pipeline(counted, transform, sink);
  try {
    await (output ? writeWhole(output, into) : into(io.stdout as Writable));
  } finally {
    done();
  }
}

/**
 * --in (or stdin) as a stream, with a progress bar on stderr for a non-empty file on a terminal (or with --progress):
 * then the stream counts what passes, and `done` removes the bar. Without a bar it is the input itself.
 */
function source(
  input: string | undefined,
  io: EnvelopeIo,
  forceProgress: boolean,
  label: string,
): { input: Readable; done: () => void } {
  if (!input && !io.stdin) throw new Usage('--in <file> is required here');
  const total = (forceProgress || io.interactive) && input ? statSync(input).size : 0;
  const from = input ? createReadStream(input) : (io.stdin as Readable);
  if (total === 0) return { input: from, done: () => undefined };
  const bar = new SingleBar({
    format: `${label} {bar} {percentage}% {value}/{total} bytes`,
    stream: process.stderr,
  });
  bar.start(total, 0);
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      seen += chunk.length;
      bar.update(seen);
      next(null, chunk);
    },
  });
  from.once('error', (e: Error) => counted.destroy(e));
  return { input: from.pipe(counted), done: () => bar.stop() };
}

/** The first bytes of an envelope file, as many as its header can take. */
async function headerPrefix(path: string): Promise<{ prefix: Buffer; size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const prefix = Buffer.alloc(Math.min(size, ENVELOPE_PREFIX_LENGTH + ENVELOPE_HEADER_MAX_LENGTH));
    await file.read(prefix, 0, prefix.length, 0);
    return { prefix, size };
  } finally {
    await file.close();
  }
}

/** Prints the header: authorities, how the key is kept, the context; nothing is decrypted, no authority asked. */
async function inspect(input: string | undefined, io: EnvelopeIo): Promise<number> {
  if (!input) throw new Usage('inspect needs --in <file>');
  const { prefix, size } = await headerPrefix(input);
  const { header, bodyOffset, plaintextLength } = inspectEnvelope(prefix, size);
  const recipe = (r: { chain: readonly number[]; wrapped: Uint8Array }) => ({
    Chain: r.chain.map((i) => header.authorities[i]!.id),
    WrappedBytes: r.wrapped.length,
  });
  io.out(
    `${JSON.stringify(
      {
        Format: 'symbolon envelope v1',
        Id: Buffer.from(header.id).toString('base64'),
        Authorities: header.authorities,
        Key: 'chain' in header.key ? recipe(header.key) : { Split: header.key.split.map(recipe) },
        Context: header.context,
        HeaderBytes: bodyOffset,
        PlaintextBytes: plaintextLength,
      },
      null,
      2,
    )}\n`,
  );
  return 0;
}

/** Writes a copy of --in with one layer moved from one authority to another: new header, the same body bytes. */
async function rewrap(
  authorities: readonly Authority[],
  fromId: string,
  toId: string,
  part: string | undefined,
  input: string,
  output: string,
  io: EnvelopeIo,
): Promise<number> {
  const byId = new Map(authorities.map((a) => [a.id, a]));
  const from = byId.get(fromId);
  const to = byId.get(toId);
  if (!from || !to) throw new Usage(`--config names no authority ${!from ? fromId : toId}`);
  const { prefix } = await headerPrefix(input);
  const { headerBytes, bodyOffset } = await rewrapEnvelope(prefix, { from, to, ...(part ? { part } : {}) });
  await writeWhole(output, (sink) =>
    pipeline(
      (async function* () {
        yield headerBytes;
        yield* createReadStream(input, { start: bodyOffset });
      })(),
      sink,
    ),
  );
  io.out(`${JSON.stringify({ Rewrapped: output, From: fromId, To: toId })}\n`);
  return 0;
}
