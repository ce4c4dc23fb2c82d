/** What commands made of steps share: their context, how they fail, and the local files they read and write. */
import { createPublicKey } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

import type { AdminResponse } from './admin-client.js';
import type { StepsCommand } from './args.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** One `Symbolon.<operation>` request, signed with the command's credentials. */
export type Call = (operation: string, body: Record<string, unknown>) => Promise<AdminResponse>;

/**
 * One `kms.v1.domain.*` request over NATS (nats-client.ts): resolves to the reply; throws Refused for an error answer,
 * LocalError when nothing answers.
 */
export type DomainCall = (subject: string, request: Record<string, unknown>) => Promise<unknown>;

export interface StepContext {
  io: Io;
  /** Sends requests; offline commands get one that refuses. */
  call: Call;
  /** The credentials file's accountId, when it has one (the tenant an audit export names). */
  accountId?: string;
  /** Sends the operators' domain requests; present for commands that go over NATS. */
  domain?: DomainCall;
}

/** A command made of steps: prints its result and resolves to the exit code; throws Refused or LocalError. */
export type Steps = (command: StepsCommand, ctx: StepContext) => Promise<number>;

/** An error answer from the platform (or an answer too malformed to use): printed as JSON on stderr, exit 1. */
export class Refused extends Error {
  constructor(readonly body: Record<string, unknown>) {
    super(typeof body['message'] === 'string' ? body['message'] : 'refused');
  }
}

/**
 * A problem found locally, before or instead of a request: printed as `symbolon: <message>`. Exit 2 for an option's
 * file that cannot be read or created (as for `file://`), 1 for a file whose content is wrong. The message names
 * options, paths and versions, never key material.
 */
export class LocalError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** The answer's body when the platform accepted the request; else throws Refused with its error. */
export function answer(res: AdminResponse): Record<string, unknown> {
  if (res.status !== 200) throw new Refused(res.body);
  return res.body;
}

/** An answer that does not have the shape the command needs. */
export function invalidResponse(message: string): Refused {
  return new Refused({ __type: 'InvalidResponse', message });
}

export const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

function causeOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
  return READ_FAILURES[code] ?? code;
}

/** A local option's text (a path, or a value checked locally), if given. */
export function optionalLocal(command: StepsCommand, option: string): string | undefined {
  const v = command.local[option];
  return typeof v === 'string' ? v : undefined;
}

/** A required local option's text (the parser has already refused a command without it). */
export function requiredLocal(command: StepsCommand, option: string): string {
  const v = optionalLocal(command, option);
  if (v === undefined) throw new LocalError(`--${option} is required`, 2);
  return v;
}

/** Checks that an option's file can be opened for reading, for files read later as a stream. */
export function checkReadable(option: string, path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
  } catch (e) {
    throw new LocalError(`cannot read --${option} ${path}: ${causeOf(e)}`, 2);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The bytes of the file an option names; LocalError (exit 2) naming the option, path and cause when unreadable. */
export function readOptionFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LocalError(`cannot read --${option} ${path}: ${causeOf(e)}`, 2);
  }
}

/** An option's JSON file, parsed; LocalError (exit 1) when it is not JSON (no content in the message). */
export function readJsonFile(option: string, path: string): unknown {
  const text = readOptionFile(option, path).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LocalError(`--${option} ${path} is not JSON`);
  }
}

/**
 * A file created before the command sends anything, so that an answer worth keeping (a receipt, a suspend package)
 * always has somewhere to go: never over an existing file, mode `mode`. `commit` makes it durable; `discard` (a no-op
 * after commit) removes it, so that no partial file is left that could pass for a whole one.
 */
export class NewFile {
  private done = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(option: string, path: string, mode: number): Promise<NewFile> {
    try {
      return new NewFile(path, await open(path, 'wx', mode));
    } catch (e) {
      const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
      throw new LocalError(
        `cannot create --${option} ${path}: ${exists ? 'it already exists (not overwriting)' : causeOf(e)}`,
        2,
      );
    }
  }

  async write(text: string): Promise<void> {
    await this.handle.write(text);
  }

  async commit(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
    this.done = true;
  }

  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close();
    rmSync(this.path, { force: true });
  }
}

/** Strict base64: `text` only when decoding and re-encoding gives it back. */
export function strictBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * The signing public keys to pin (`--public-key` of the verify commands): what `key signing-key --out` writes, base64
 * SPKI DER one per line (every member token's), or one PEM public key. A document verifies when one of them signed it.
 */
export function readPinnedKeys(option: string, path: string): string[] {
  const text = readOptionFile(option, path).toString('utf8').trim();
  if (text.startsWith('-----BEGIN ')) {
    try {
      return [
        createPublicKey({ key: text, format: 'pem' })
          .export({ type: 'spki', format: 'der' })
          .toString('base64'),
      ];
    } catch {
      throw new LocalError(`--${option} ${path} is not a PEM public key`);
    }
  }
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (keys.length === 0 || keys.some((k) => !strictBase64(k))) {
    throw new LocalError(`--${option} ${path} is neither base64 SPKI (one per line) nor PEM`);
  }
  return keys;
}

/** Pretty JSON and a newline, as every command prints its result. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
