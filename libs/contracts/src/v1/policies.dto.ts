import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

import { ACCOUNT_ID_PATTERN, TenantScopedRequest } from './tenant-scoped.request.js';
import { IsGrantConstraints } from './validators.js';

/** A key's policy name: AWS has exactly one, `default`. */
export const KEY_POLICY_NAME = 'default';
/** The identity policy every new user gets unless the admin asks otherwise: `kms:*` on every resource. */
export const DEFAULT_IDENTITY_POLICY_NAME = 'SymbolonDefaultKmsAccess';

class KeyPolicyTarget extends TenantScopedRequest {
  @IsString()
  @MaxLength(2048)
  keyArn!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  keyAccountId!: string;
}

/** Store a key policy (validated, and checked against locking out its caller unless bypassLockoutCheck). */
export class PutKeyPolicyRequest extends KeyPolicyTarget {
  @IsString()
  @MaxLength(131072)
  policy!: string;

  @IsBoolean()
  bypassLockoutCheck!: boolean;
}

/** The stored key policy, or the default one AWS gives a new key. Reply `{ policy }`. */
export class GetKeyPolicyRequest extends KeyPolicyTarget {}

/** A key was deleted: drop its policy and grants. */
export class ForgetKeyPoliciesRequest extends KeyPolicyTarget {}

export interface GetKeyPolicyReply {
  policy: string;
}

/** Identity policies are inline policies of a principal (IAM's PutUserPolicy and friends). */
class IdentityTarget extends TenantScopedRequest {
  @IsString()
  @MaxLength(2048)
  principalArn!: string;
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

export class PutIdentityPolicyRequest extends IdentityTarget {
  @Matches(POLICY_NAME)
  policyName!: string;

  @IsString()
  @MaxLength(131072)
  document!: string;
}

export class GetIdentityPolicyRequest extends IdentityTarget {
  @Matches(POLICY_NAME)
  policyName!: string;
}

export class ListIdentityPoliciesRequest extends IdentityTarget {}

/** Without policyName: every policy of the principal (the user is being deleted). */
export class DeleteIdentityPolicyRequest extends IdentityTarget {
  @IsOptional()
  @Matches(POLICY_NAME)
  policyName?: string;
}

export interface GetIdentityPolicyReply {
  document: string;
}
export interface ListIdentityPoliciesReply {
  policyNames: string[];
}

export interface GrantConstraintsDto {
  encryptionContextEquals?: Record<string, string>;
  encryptionContextSubset?: Record<string, string>;
}

/** What a grant gives: who may do which operations, under which constraints (CreateGrant at either hop). */
export class GrantSpec extends TenantScopedRequest {
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

/** Coordinator -> policy: the key resolved to its ARN and owner. */
export class CreateGrantRequest extends GrantSpec {
  @IsString()
  @MaxLength(2048)
  keyArn!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  keyAccountId!: string;
}

export interface CreateGrantReply {
  grantId: string;
  grantToken: string;
}

/** One page of a key's grants, optionally only one grant or one grantee's (ListGrants at either hop). */
export class GrantsPage extends TenantScopedRequest {
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

export class ListGrantsRequest extends GrantsPage {
  @IsString()
  @MaxLength(2048)
  keyArn!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  keyAccountId!: string;
}

export class ListRetirableGrantsRequest extends TenantScopedRequest {
  @IsString()
  @MaxLength(256)
  retiringPrincipal!: string;

  @IsInt()
  @Min(1)
  @Max(100)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}

export interface GrantDto {
  keyArn: string;
  grantId: string;
  name?: string;
  creationDate: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  issuingAccount: string;
  operations: string[];
  constraints?: GrantConstraintsDto;
}

export interface ListGrantsReply {
  grants: GrantDto[];
  nextMarker?: string;
}

/**
 * Retire a grant, named by its token or by key and grant id. The policy service checks the caller may: the grant's
 * retiring principal, or its grantee when the grant allows RetireGrant.
 */
export class RetireGrantRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  grantToken?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyArn?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  grantId?: string;
}

/** Revoke: the coordinator has checked kms:RevokeGrant on the key. */
export class RevokeGrantRequest extends KeyPolicyTarget {
  @IsString()
  @MaxLength(128)
  grantId!: string;
}

/** Published (core NATS, every policy and coordinator replica) after any policy or grant change. */
export interface PolicyChangedNotice {
  keyArn?: string;
  principalArn?: string;
}
