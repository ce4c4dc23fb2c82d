import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
] as const;
export type KmsAction = (typeof KmsActions)[number];

/** May `principal` (of tenant `tenantId`) perform `action` on the key `keyArn` owned by `keyAccountId`? */
export class EvaluatePolicyRequest extends TenantScopedRequest {
  @IsIn(KmsActions as unknown as string[])
  action!: KmsAction;

  @IsString()
  @MaxLength(2048)
  keyArn!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  keyAccountId!: string;

  @IsOptional()
  @IsStringMap()
  encryptionContext?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sourceIp?: string;
}
/**
 * The decision, and for how long the caller may reuse it for the same (principal, action, key): set only when the
 * decision depends on nothing else (no condition on context, source or time). Policy changes apply within that time.
 */
export interface EvaluatePolicyReply extends DecisionDto {
  cacheTtlMs?: number;
}
