import { IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

import type { DecisionDto } from './keys.dto.js';
import { ACCOUNT_ID_PATTERN, TenantScopedRequest } from './tenant-scoped.request.js';
import { IsStringMap } from './validators.js';

export const KmsActions = [
  'kms:CreateKey',
  'kms:DescribeKey',
  'kms:ListKeys',
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateRandom',
  'kms:DescribeCustomKeyStores',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:GetKeyRotationStatus',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListResourceTags',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListAliases',
  'kms:PutKeyPolicy',
  'kms:GetKeyPolicy',
  'kms:ListKeyPolicies',
  'kms:CreateGrant',
  'kms:ListGrants',
  'kms:ListRetirableGrants',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  // Symbolon's own operations (target prefix `Symbolon.`).
  'kms:GetKeyUsage',
  'kms:ListAuditEvents',
  /** Only an Allow that names it (no wildcard) allows it: see libs/policy-engine's EXPLICIT_ONLY_ACTIONS. */
  'kms:ShredKey',
  'kms:SuspendKey',
  'kms:ReinstateKey',
] as const;
export type KmsAction = (typeof KmsActions)[number];

/**
 * May `principal` (of tenant `tenantId`) perform `action` on the key `keyArn` owned by `keyAccountId`? For actions
 * without a key (CreateKey, ListKeys, ListAliases, GenerateRandom, ListRetirableGrants) keyArn is `*` and
 * keyAccountId the caller's own account. The optional fields feed the condition keys of the same names.
 */
export class EvaluatePolicyRequest extends TenantScopedRequest {
  @IsIn(KmsActions as unknown as string[])
  action!: KmsAction;

  @IsString()
  @MaxLength(2048)
  keyArn!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  keyAccountId!: string;

  /** kms:EncryptionContext:<key>, kms:EncryptionContextKeys, and grant constraints. */
  @IsOptional()
  @IsStringMap()
  encryptionContext?: Record<string, string>;

  /** kms:EncryptionAlgorithm. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  encryptionAlgorithm?: string;

  /** kms:GrantOperations (CreateGrant). */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  grantOperations?: string[];

  /** kms:ReEncryptOnSameKey (ReEncrypt). */
  @IsOptional()
  @IsBoolean()
  reEncryptOnSameKey?: boolean;

  /** aws:ResourceTag/<key>: the key's tags. */
  @IsOptional()
  @IsStringMap()
  resourceTags?: Record<string, string>;

  /** aws:RequestTag/<key> and aws:TagKeys (TagResource, CreateKey). */
  @IsOptional()
  @IsStringMap()
  requestTags?: Record<string, string>;

  /** For the lockout safety check: decide against this key policy instead of the stored one. */
  @IsOptional()
  @IsString()
  @MaxLength(131072)
  candidateKeyPolicy?: string;
}
/**
 * The decision, and for how long the caller may reuse it for the same (principal, action, key): set only when the
 * decision depends on nothing else (no condition on context, source or time). Policy changes apply within that time.
 */
export interface EvaluatePolicyReply extends DecisionDto {
  cacheTtlMs?: number;
}
