import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

import type { GrantDto } from './policies.dto.js';
import type { GrantConstraintsDto } from './policies.dto.js';
import { KeyScopedRequest } from './keys.dto.js';
import { TenantScopedRequest } from './tenant-scoped.request.js';
import { IsGrantConstraints } from './validators.js';

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

export class CreateGrantKeyRequest extends KeyScopedRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  granteePrincipal!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  retiringPrincipal?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  operations!: string[];

  @IsOptional()
  @IsGrantConstraints()
  constraints?: GrantConstraintsDto;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;
}

export class ListGrantsKeyRequest extends KeyScopedRequest {
  @IsInt()
  @Min(1)
  @Max(100)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  grantId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  granteePrincipal?: string;
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
