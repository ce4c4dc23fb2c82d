import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

import { type GrantDto, GrantSpec, GrantsPage } from './policies.dto.js';
import { KeyScopedRequest } from './keys.dto.js';
import { TenantScopedRequest } from './tenant-scoped.request.js';

/** Gateway -> coordinator: the key is named as the caller named it; the coordinator resolves and authorizes it. */
export class PutKeyPolicyKeyRequest extends KeyScopedRequest {
  @IsString()
  @MaxLength(131072)
  policy!: string;

  @IsBoolean()
  bypassPolicyLockoutSafetyCheck!: boolean;
}

export class GetKeyPolicyKeyRequest extends KeyScopedRequest {}

export class ListKeyPoliciesKeyRequest extends KeyScopedRequest {}
export interface ListKeyPoliciesReply {
  policyNames: string[];
}

/** Gateway -> coordinator: the key as the caller named it. */
export class CreateGrantKeyRequest extends GrantSpec {
  @IsString()
  @MaxLength(2048)
  keyId!: string;
}

export class ListGrantsKeyRequest extends GrantsPage {
  @IsString()
  @MaxLength(2048)
  keyId!: string;
}

export class RetireGrantKeyRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  grantToken?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  grantId?: string;
}

export class RevokeGrantKeyRequest extends KeyScopedRequest {
  @IsString()
  @MaxLength(128)
  grantId!: string;
}

/** ListGrants replies carry the grants and the key's ARN for the audit record. */
export interface ListGrantsKeyReply {
  keyArn?: string;
  grants: GrantDto[];
  nextMarker?: string;
}
