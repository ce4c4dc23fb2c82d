import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

import { IsStringMap } from './validators.js';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Every request between services names who asks, for which tenant (account), under which request id. */
export class TenantScopedRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  tenantId!: string;

  /** ARN of the calling principal, e.g. arn:aws:iam::111122223333:user/admin. */
  @IsString()
  @MaxLength(2048)
  principal!: string;

  /** The caller's address as the gateway saw it (aws:SourceIp). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sourceIp?: string;

  /** The request came over TLS (aws:SecureTransport). */
  @IsOptional()
  @IsBoolean()
  secureTransport?: boolean;

  /** The calling principal's tags (aws:PrincipalTag/<key>). */
  @IsOptional()
  @IsStringMap()
  principalTags?: Record<string, string>;
}

/** The scope of `req` alone (who asks, from where), without the fields of the operation it came with. */
export function tenantScope(req: TenantScopedRequest): TenantScopedRequest {
  return {
    requestId: req.requestId,
    tenantId: req.tenantId,
    principal: req.principal,
    ...(req.sourceIp !== undefined ? { sourceIp: req.sourceIp } : {}),
    ...(req.secureTransport !== undefined ? { secureTransport: req.secureTransport } : {}),
    ...(req.principalTags !== undefined ? { principalTags: req.principalTags } : {}),
  };
}
