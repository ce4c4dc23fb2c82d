import { IsBoolean, IsBase64, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

import { TenantScopedRequest } from './tenant-scoped.request.js';
import { IsStringMap } from './validators.js';

export type EncryptionContext = Record<string, string>;
export const KeyStates = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'] as const;
export type KeyState = (typeof KeyStates)[number];

/** The AWS KeyMetadata subset the walking skeleton serves. Dates are ISO strings on the wire. */
export interface KeyMetadataDto {
  keyId: string;
  arn: string;
  accountId: string;
  description: string;
  keyState: KeyState;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  origin: 'AWS_KMS';
  creationDate: string;
  currentVersion: number;
  /** ISO date after which the key is deleted; only while PendingDeletion. */
  deletionDate?: string;
  /** The waiting period ScheduleKeyDeletion was given (7-30 days); only while PendingDeletion. */
  pendingDeletionWindowInDays?: number;
}

export class CreateKeyRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;

  /** The key policy; without it the key gets the default key policy. */
  @IsOptional()
  @IsString()
  @MaxLength(131072)
  policy?: string;

  @IsOptional()
  @IsBoolean()
  bypassPolicyLockoutSafetyCheck?: boolean;
}
export interface CreateKeyReply {
  key: KeyMetadataDto;
}

/** KeyId as the caller gave it: key id, key ARN (alias forms come with aliases). */
export class KeyScopedRequest extends TenantScopedRequest {
  @IsString()
  @MaxLength(2048)
  keyId!: string;
}

export class DescribeKeyRequest extends KeyScopedRequest {}
export interface DescribeKeyReply {
  key: KeyMetadataDto;
}

export class ListKeysRequest extends TenantScopedRequest {
  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}
export interface ListKeysReply {
  keys: { keyId: string; arn: string }[];
  nextMarker?: string;
}

/** Which decision let the request through: copied into the audit record by the gateway. */
export interface DecisionDto {
  effect: 'ALLOW' | 'DENY';
  reason: string;
}

export class EncryptRequest extends KeyScopedRequest {
  /** base64, 1..4096 bytes. */
  @IsBase64()
  plaintext!: string;

  @IsStringMap()
  encryptionContext!: EncryptionContext;
}
export interface EncryptReply {
  keyArn: string;
  keyVersion: number;
  ciphertextBlob: string;
  decision: DecisionDto;
}

export class DecryptRequest extends TenantScopedRequest {
  /** Optional: when given, it must name the key that the blob names. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyId?: string;

  @IsBase64()
  ciphertextBlob!: string;

  @IsStringMap()
  encryptionContext!: EncryptionContext;
}
export interface DecryptReply {
  keyArn: string;
  keyVersion: number;
  plaintext: string;
  decision: DecisionDto;
}

export class GenerateDataKeyRequest extends KeyScopedRequest {
  @IsInt()
  @Min(1)
  @Max(1024)
  numberOfBytes!: number;

  @IsStringMap()
  encryptionContext!: EncryptionContext;

  /** false for GenerateDataKeyWithoutPlaintext. */
  @IsIn([true, false])
  returnPlaintext!: boolean;
}
export interface GenerateDataKeyReply {
  keyArn: string;
  keyVersion: number;
  ciphertextBlob: string;
  plaintext?: string;
  decision: DecisionDto;
}

export class GenerateRandomRequest extends TenantScopedRequest {
  @IsInt()
  @Min(1)
  @Max(1024)
  numberOfBytes!: number;
}
export interface GenerateRandomReply {
  plaintext: string;
}

/** Symbolon's GetKeyUsage: how many encryptions each version of the caller's own key has done. */
export class GetKeyUsageRequest extends KeyScopedRequest {}
export interface GetKeyUsageReply {
  keyArn: string;
  /** Every version of the key, oldest first, with its count (0 when it never encrypted). */
  versions: { keyVersion: number; encryptions: number }[];
}
