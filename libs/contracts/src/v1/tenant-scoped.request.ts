import { IsString, Matches, MaxLength } from 'class-validator';

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
}
