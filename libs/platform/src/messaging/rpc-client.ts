import type { ClientProxy } from '@nestjs/microservices';
import { ClientProxyFactory } from '@nestjs/microservices';
import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { TimeoutError, firstValueFrom, timeout } from 'rxjs';

import { type ConnectionOptions, natsClientOptions } from './nats.js';

/** Request/reply over NATS with a deadline; failures come back as KmsError. */
export class RpcClient {
  private readonly proxy: ClientProxy;

  constructor(
    natsUrl: string,
    name: string,
    private readonly defaultTimeoutMs: number,
    opts: ConnectionOptions = {},
  ) {
    this.proxy = ClientProxyFactory.create(natsClientOptions(natsUrl, name, opts)) as ClientProxy;
  }

  async connect(): Promise<void> {
    await this.proxy.connect();
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }

  async send<TReply>(subject: string, payload: object, timeoutMs = this.defaultTimeoutMs): Promise<TReply> {
    try {
      return await firstValueFrom(this.proxy.send<TReply>(subject, payload).pipe(timeout(timeoutMs)));
    } catch (e) {
      throw toKmsError(e, subject);
    }
  }
}

export function toKmsError(e: unknown, subject: string): KmsError {
  if (e instanceof KmsError) return e;
  if (KmsError.isEnvelope(e)) return KmsError.fromEnvelope(e);
  if (e instanceof TimeoutError)
    return new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, `no reply from ${subject} in time`);
  const message = e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e);
  // Nobody subscribes (a node that died, a service not started): nats.js says "no responders" (503), and NestJS's NATS
  // client turns it into an EmptyResponseException ("There are no subscribers listening ..."). Worth another node.
  if (/no responders|503|no subscribers/i.test(message)) {
    return new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, `no service answers ${subject}`);
  }
  return new KmsError(ErrorCodes.INTERNAL, `request to ${subject} failed`);
}
