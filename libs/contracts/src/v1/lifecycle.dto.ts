import { IsBase64, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

import type { DecisionDto, EncryptionContext, KeyState } from './keys.dto.js';
import { KeyScopedRequest } from './keys.dto.js';
import { TenantScopedRequest } from './tenant-scoped.request.js';
import { IsStringMap } from './validators.js';

/** Key lifecycle: scheduled deletion, rotation (automatic and on demand) and ReEncrypt. Dates are ISO strings. */

export const PENDING_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;
export const ROTATION_PERIOD_DAYS = { min: 90, max: 2560, default: 365 } as const;
/**
 * At most this many on-demand rotations per key, LimitExceededException after: the AWS KMS developer guide's current
 * figure (the API reference still says 10).
 */
export const MAX_ON_DEMAND_ROTATIONS = 25;

export const RotationTypes = ['AUTOMATIC', 'ON_DEMAND'] as const;
export type RotationType = (typeof RotationTypes)[number];

export class ScheduleKeyDeletionRequest extends KeyScopedRequest {
  @IsInt()
  @Min(PENDING_WINDOW_DAYS.min)
  @Max(PENDING_WINDOW_DAYS.max)
  pendingWindowInDays!: number;
}
export interface ScheduleKeyDeletionReply {
  keyArn: string;
  deletionDate: string;
  keyState: KeyState;
  pendingWindowInDays: number;
}

export class CancelKeyDeletionRequest extends KeyScopedRequest {}
export interface CancelKeyDeletionReply {
  keyArn: string;
}

export class EnableKeyRotationRequest extends KeyScopedRequest {
  @IsInt()
  @Min(ROTATION_PERIOD_DAYS.min)
  @Max(ROTATION_PERIOD_DAYS.max)
  rotationPeriodInDays!: number;
}
export class DisableKeyRotationRequest extends KeyScopedRequest {}
/** Enable / DisableKeyRotation answer nothing to the caller but the key, for the audit record. */
export interface KeyRotationChangeReply {
  keyArn: string;
}

export class GetKeyRotationStatusRequest extends KeyScopedRequest {}
export interface GetKeyRotationStatusReply {
  keyArn: string;
  keyRotationEnabled: boolean;
  /** Present while automatic rotation is enabled. */
  rotationPeriodInDays?: number;
  nextRotationDate?: string;
  /** Present while an on-demand rotation runs (never, here: it completes within the request). */
  onDemandRotationStartDate?: string;
}

export class RotateKeyOnDemandRequest extends KeyScopedRequest {}
export interface RotateKeyOnDemandReply {
  keyArn: string;
  keyVersion: number;
}

export const IncludeKeyMaterialValues = ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const;
export type IncludeKeyMaterial = (typeof IncludeKeyMaterialValues)[number];

export class ListKeyRotationsRequest extends KeyScopedRequest {
  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;

  @IsIn(IncludeKeyMaterialValues as unknown as string[])
  includeKeyMaterial!: IncludeKeyMaterial;
}
export interface KeyRotationEntryDto {
  keyId: string;
  keyMaterialId: string;
  keyMaterialState: 'CURRENT' | 'NON_CURRENT';
  /** Absent for the first key material. */
  rotationDate?: string;
  rotationType?: RotationType;
}
export interface ListKeyRotationsReply {
  keyArn: string;
  rotations: KeyRotationEntryDto[];
  nextMarker?: string;
}

export class ReEncryptRequest extends TenantScopedRequest {
  @IsBase64()
  ciphertextBlob!: string;

  /** Optional: when given, it must name the key that the blob names. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  sourceKeyId?: string;

  @IsStringMap()
  sourceEncryptionContext!: EncryptionContext;

  @IsString()
  @MaxLength(2048)
  destinationKeyId!: string;

  @IsStringMap()
  destinationEncryptionContext!: EncryptionContext;
}
export interface ReEncryptReply {
  ciphertextBlob: string;
  sourceKeyArn: string;
  sourceKeyVersion: number;
  sourceKeyMaterialId: string;
  keyArn: string;
  keyVersion: number;
  keyMaterialId: string;
  /** The decision on the destination key (kms:ReEncryptTo); the source was allowed too. */
  decision: DecisionDto;
}
