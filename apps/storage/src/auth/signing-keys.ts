import {
  ErrorCodes,
  KmsError,
  type S3SigningKeyReply,
  type S3SigningKeyRequest,
  Subjects,
} from '@symbolon/contracts';
import { BoundedTtlMap, type RpcClient } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';

import { S3Error } from '../s3/errors.js';

/** Who signed a request: the tenant and the principal, and the key that verifies its signatures. */
export interface S3Caller {
  accountId: string;
  principalArn: string;
  signingKey: Buffer;
}

/** Where the signing keys come from: the gateway over NATS in the service, a table in tests. */
export type SigningKeySource = (req: S3SigningKeyRequest) => Promise<S3SigningKeyReply>;

export function gatewaySigningKeys(rpc: RpcClient): SigningKeySource {
  return (req) => rpc.send<S3SigningKeyReply>(Subjects.gateway.s3SigningKey, req);
}

/**
 * S3 signing keys by access key and day, asked of the gateway once and kept for `ttlMs` (ADR 0017): a disabled access
 * key is refused here at most that long after. Bounded: a flood of made-up access key ids only churns the cache.
 */
export class SigningKeys {
  private readonly cache: BoundedTtlMap<S3Caller>;

  constructor(
    private readonly source: SigningKeySource,
    ttlMs = 60_000,
    maxEntries = 10_000,
  ) {
    this.cache = new BoundedTtlMap<S3Caller>(maxEntries, ttlMs);
  }

  /** The caller of an access key on a day, or an S3Error as S3 answers an unknown key. */
  async caller(accessKeyId: string, date: string, region: string, sessionToken?: string): Promise<S3Caller> {
    // The gateway's form of an access key id: anything else is unknown, without asking.
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) {
      throw new S3Error(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    }
    const cacheKey = JSON.stringify([accessKeyId, date, region, sessionToken ?? null]);
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    let reply: S3SigningKeyReply;
    try {
      reply = await this.source({
        requestId: randomUUID(),
        accessKeyId,
        date,
        region,
        ...(sessionToken !== undefined ? { sessionToken } : {}),
      });
    } catch (e) {
      throw asS3Error(e, region);
    }
    const found = {
      accountId: reply.accountId,
      principalArn: reply.principalArn,
      signingKey: Buffer.from(reply.signingKey, 'base64'),
    };
    this.cache.set(cacheKey, found);
    return found;
  }
}

function asS3Error(e: unknown, region: string): S3Error {
  if (e instanceof KmsError) {
    if (e.code === ErrorCodes.NOT_FOUND) {
      return new S3Error(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    }
    if (e.code === ErrorCodes.VALIDATION) {
      return new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the credential scope (region ${region}, or its date) is not this service's.`,
      );
    }
  }
  return new S3Error('ServiceUnavailable', 'The access key cannot be checked now; retry.');
}
