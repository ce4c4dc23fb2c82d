import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ErrorCodes, KmsError, S3SigningKeyReply, S3SigningKeyRequest, Subjects } from '@symbolon/contracts';
import { deriveSigningKey } from '@symbolon/platform';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { AccessKeyRepository } from '../tenants/access-key.repository.js';

const DAY_MS = 86_400_000;

/** yyyymmdd to its UTC midnight in epoch milliseconds, or NaN when it is not a real day. */
function dayStart(date: string): number {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '') === date ? ms : Number.NaN;
}

/**
 * Gives the storage service the S3 signing key of an active access key (ADR 0017): the storage verifies S3 requests
 * itself, the secret stays here. Only today's key is served, or yesterday's and tomorrow's within the clock skew of
 * midnight (a signing key is valid for its day), so a key asked for can sign nothing in the future.
 */
@Controller()
export class S3SigningKeyController {
  constructor(
    @Inject(AccessKeyRepository) private readonly callers: AccessKeyRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The clock, in epoch milliseconds (tests set their own). */
  now: () => number = Date.now;

  @MessagePattern(Subjects.gateway.s3SigningKey)
  async signingKey(@Payload() req: S3SigningKeyRequest): Promise<S3SigningKeyReply> {
    if (req.region !== this.config.SYMBOLON_REGION) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `Credential should be scoped to a valid region, not '${req.region}'.`,
      );
    }
    const start = dayStart(req.date);
    // Today's key, or the neighbouring day's within the accepted clock skew of midnight (SYMBOLON_MAX_SKEW_MS, as
    // for the KMS API and the storage service): never a key for a day still to come.
    const now = this.now();
    const skew = this.config.SYMBOLON_MAX_SKEW_MS;
    if (!(now >= start - skew && now <= start + DAY_MS + skew)) {
      throw new KmsError(ErrorCodes.VALIDATION, `Credential date ${req.date} is not today's.`);
    }
    const caller = await this.callers.findActive(req.accessKeyId);
    // Symbolon issues no temporary credentials: a session token never matches. One answer for both cases.
    if (caller === undefined || req.sessionToken !== undefined) {
      throw new KmsError(ErrorCodes.NOT_FOUND, 'The access key id is not known or not active.');
    }
    return {
      signingKey: deriveSigningKey(caller.secret, req.date, req.region, 's3').toString('base64'),
      accountId: caller.accountId,
      principalArn: caller.principalArn,
    };
  }
}
