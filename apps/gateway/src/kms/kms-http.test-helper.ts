/**
 * In-memory stand-ins for the KMS handler's collaborators and for Fastify's request and reply, for unit specs only.
 * Nothing here opens a socket: the SigV4 verifier accepts every request as ACCESS_KEY_ID.
 */
import type { RequestHandledEvent } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { InMemoryAccessKeys, type RecordingRpc, asFake } from '../../../../libs/testing/src/fakes/index.js';
import type { AuditPublisher } from '@symbolon/platform';
import type { SigV4Verifier } from '../auth/sigv4/index.js';
import type { AccessKeyRepository } from '../tenants/access-key.repository.js';
import { KmsRequestHandler } from './kms-request.handler.js';
import { RateLimiter } from './throttle/rate-limiter.js';

export const ACCESS_KEY_ID = 'AKIDFAKEHANDLER';
export const ACCOUNT_ID = '111122223333';

export class RecordingAudit {
  readonly events: RequestHandledEvent[] = [];

  async start(): Promise<void> {}

  async publish(event: RequestHandledEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  connected(): boolean {
    return true;
  }

  async stop(): Promise<void> {}
}

/** Records what the code under test answers; every setter chains, as Fastify's do. */
export class RecordingReply {
  statusCode = 200;
  readonly headers: Record<string, string> = {};
  body: unknown;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  async send(body: unknown): Promise<this> {
    this.body = body;
    return this;
  }

  /** The body as JSON, whether it was sent as a string or an object. */
  json(): unknown {
    return typeof this.body === 'string' ? JSON.parse(this.body) : this.body;
  }

  asFastify(): FastifyReply {
    return this as unknown as FastifyReply;
  }
}

export function fakeRequest(opts: {
  url?: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer;
}): FastifyRequest {
  return {
    url: opts.url ?? '/',
    method: opts.method ?? 'POST',
    headers: opts.headers ?? {},
    body: opts.body ?? Buffer.alloc(0),
    ip: '127.0.0.1',
  } as unknown as FastifyRequest;
}

/** A KmsRequestHandler whose verifier accepts ACCESS_KEY_ID, an active key of ACCOUNT_ID. */
export function fakeHandler(rpc: RecordingRpc, audit: RecordingAudit): KmsRequestHandler {
  const keys = new InMemoryAccessKeys();
  keys.accessKeys.set(ACCESS_KEY_ID, {
    accessKeyId: ACCESS_KEY_ID,
    accountId: ACCOUNT_ID,
    principalArn: `arn:aws:iam::${ACCOUNT_ID}:user/admin`,
    secret: 'not-used',
    status: 'Active',
  });
  return new KmsRequestHandler(
    asFake<SigV4Verifier>({ verify: async () => ({ accessKeyId: ACCESS_KEY_ID }), cachedSigners: 0 }),
    asFake<AccessKeyRepository>({
      findActive: (id) => keys.findActive(id),
      countAccounts: () => keys.countAccounts(),
      createAccountWithKey: async () => {
        throw new Error('not used by the handler');
      },
    }),
    asFake<RpcClient>(rpc),
    asFake<AuditPublisher>(audit),
    new RateLimiter({ cryptoRps: 1_000_000, otherRps: 1_000_000 }),
  );
}
