/**
 * The operators' way to the platform: NATS request/reply as the NATS user of role `operator` (an nkey that may publish
 * `kms.v1.domain.>` only and reads its replies under `_INBOX_operator`), to the coordinator's `kms.v1.domain.*`
 * handlers. Requests and replies are the Nest microservice envelopes the coordinator speaks.
 */
import {
  type NatsConnection,
  NoRespondersError,
  PermissionViolationError,
  TimeoutError,
  connect,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import { KmsError } from '@symbolon/contracts';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';

import type { NatsTarget, NatsTls } from './args.js';
import {
  type DomainCall,
  LocalError,
  Refused,
  invalidResponse,
  readJsonFile,
  readOptionFile,
} from './steps.js';

/**
 * The inbox prefix of the `operator` role (libs/platform nats-permissions.ts `inboxPrefix('operator')`; the spec checks
 * they agree). Written out here so that the command does not load the services' platform library.
 */
export const OPERATOR_INBOX_PREFIX = '_INBOX_operator';

/** How long a request waits for its reply. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** One NATS request: publishes `payload` to `subject`, resolves to the reply's text. Throws what nats.js throws. */
export type NatsRequest = (subject: string, payload: string, timeoutMs: number) => Promise<string>;

/**
 * A DomainCall over `request`: sends `{ pattern, data, id }` with a fresh `requestId` in data, and reads `{ response }`
 * or `{ err }` back. An error envelope becomes Refused `{ __type: <code>, message }`; no responder, or no reply within
 * `timeoutMs`, a LocalError naming the subject (exit 1).
 */
export function domainCall(request: NatsRequest, timeoutMs = REQUEST_TIMEOUT_MS): DomainCall {
  return async (subject, data) => {
    const id = randomUUID();
    let text: string;
    try {
      text = await request(
        subject,
        JSON.stringify({ pattern: subject, data: { requestId: id, ...data }, id }),
        timeoutMs,
      );
    } catch (e) {
      throw requestFailure(e, subject, timeoutMs);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text) as unknown;
    } catch {
      throw invalidResponse(`the reply to ${subject} is not JSON`);
    }
    if (typeof reply !== 'object' || reply === null)
      throw invalidResponse(`the reply to ${subject} is not an object`);
    const { err, response } = reply as { err?: unknown; response?: unknown };
    if (err !== undefined && err !== null) {
      if (KmsError.isEnvelope(err)) {
        const e = KmsError.fromEnvelope(err);
        throw new Refused({ __type: e.code, message: e.message });
      }
      const message =
        typeof err === 'string' ? err : String((err as { message?: unknown }).message ?? 'error');
      throw new Refused({ __type: 'RemoteError', message });
    }
    if (response === undefined) throw invalidResponse(`the reply to ${subject} has no response`);
    return response;
  };
}

/** Why a request got no answer, for the operator: the subject and what to check, never the payload. */
export function requestFailure(e: unknown, subject: string, timeoutMs: number): LocalError {
  // Already said (the connection could not be made).
  if (e instanceof LocalError) return e;
  if (e instanceof TimeoutError) {
    return new LocalError(`no reply to ${subject} within ${timeoutMs / 1000} s: is the coordinator running?`);
  }
  const cause = e instanceof Error ? e.cause : undefined;
  if (e instanceof NoRespondersError || cause instanceof NoRespondersError) {
    return new LocalError(`nothing answers ${subject}: is the coordinator running (and does it serve it)?`);
  }
  if (e instanceof PermissionViolationError || cause instanceof PermissionViolationError) {
    return new LocalError(`NATS refused ${subject} to this user: is it the operator's nkey?`);
  }
  return new LocalError(`the request to ${subject} failed: ${e instanceof Error ? e.message : String(e)}`);
}

/** What a NATS connection needs, resolved from a NatsTarget. */
export interface NatsEndpoint {
  servers: string[];
  /** The nkey seed file, and the option it came from (for messages). */
  nkeyFile: string;
  nkeyOption: string;
  tls?: NatsTls;
}

/** `user:password@` removed: the operator authenticates with its nkey, never with the URL's credentials. */
export function serversOf(natsUrl: string): string[] {
  return natsUrl.split(',').map((server) => {
    const url = new URL(server);
    return `${url.protocol}//${url.host}`;
  });
}

const TLS_FIELDS = {
  caFile: 'SYMBOLON_NATS_TLS_CA_FILE',
  certFile: 'SYMBOLON_NATS_TLS_CERT_FILE',
  keyFile: 'SYMBOLON_NATS_TLS_KEY_FILE',
} as const;

/**
 * `npm start`'s runtime.json -> its NATS servers (credentials removed), the tooling's TLS files when it has `natsTls`,
 * and the operator's nkey seed beside it (`nats/keys/operator.nk`); the explicit options as they are.
 */
export function resolveTarget(target: NatsTarget): NatsEndpoint {
  if (!('runtimeFile' in target)) {
    return {
      servers: serversOf(target.natsUrl),
      nkeyFile: target.nkeyFile,
      nkeyOption: 'nkey-file',
      ...(target.tls ? { tls: target.tls } : {}),
    };
  }
  const path = target.runtimeFile;
  const runtime = readJsonFile('runtime', path) as { natsUrl?: unknown; natsTls?: unknown } | null;
  let servers: string[] | undefined;
  try {
    if (typeof runtime?.natsUrl === 'string') servers = serversOf(runtime.natsUrl);
  } catch {
    servers = undefined;
  }
  if (!servers) throw new LocalError(`--runtime ${path} has no natsUrl`);
  let tls: NatsTls | undefined;
  if (runtime?.natsTls !== undefined) {
    const t = runtime.natsTls as Record<string, unknown> | null;
    const [caFile, certFile, keyFile] = Object.values(TLS_FIELDS).map((f) =>
      typeof t?.[f] === 'string' && t[f] !== '' ? t[f] : undefined,
    );
    if (caFile === undefined)
      throw new LocalError(`--runtime ${path} has natsTls without ${TLS_FIELDS.caFile}`);
    tls = { caFile, ...(certFile && keyFile ? { certFile, keyFile } : {}) };
  }
  return {
    servers,
    nkeyFile: join(dirname(path), 'nats', 'keys', 'operator.nk'),
    nkeyOption: 'runtime',
    ...(tls ? { tls } : {}),
  };
}

/** An open connection's request function and its close. */
export interface NatsTransport {
  request: NatsRequest;
  close(): Promise<void>;
}

/** Connects as the `operator` NATS user. LocalError when the seed cannot be read or NATS cannot be reached. */
export async function connectOperator(target: NatsTarget): Promise<NatsTransport> {
  const endpoint = resolveTarget(target);
  const seed = readOptionFile(endpoint.nkeyOption, endpoint.nkeyFile).toString('utf8').trim();
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: endpoint.servers,
      name: 'symbolon-cli',
      authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
      inboxPrefix: OPERATOR_INBOX_PREFIX,
      timeout: REQUEST_TIMEOUT_MS,
      maxReconnectAttempts: 0,
      noAsyncTraces: true,
      ...(endpoint.tls ? { tls: endpoint.tls } : {}),
    });
  } catch (e) {
    // nats.js names the server and the cause (refused, authorization, TLS); never the seed.
    const cause = e instanceof Error ? e.message : String(e);
    throw new LocalError(`cannot connect to NATS at ${endpoint.servers.join(',')}: ${cause}`);
  }
  return {
    request: async (subject, payload, timeoutMs) =>
      (await nc.request(subject, payload, { timeout: timeoutMs })).string(),
    close: () => nc.close(),
  };
}

/**
 * A DomainCall that connects on its first request (offline failures never touch NATS), and its close: call it once
 * the command is done.
 */
export function lazyDomainCall(target: NatsTarget): { call: DomainCall; close(): Promise<void> } {
  let transport: Promise<NatsTransport> | undefined;
  return {
    call: domainCall(async (subject, payload, timeoutMs) => {
      transport ??= connectOperator(target);
      return (await transport).request(subject, payload, timeoutMs);
    }),
    close: async () => {
      const open = await transport?.catch(() => undefined);
      await open?.close();
    },
  };
}
