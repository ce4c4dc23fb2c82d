import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import { type SignedDocumentDto } from './hsm.dto.js';

import { TenantScopedRequest } from './tenant-scoped.request.js';
import { IsStringMap } from './validators.js';

export type EncryptionContext = Record<string, string>;
/**
 * AWS's key states, plus Symbolon's own: Suspended (SuspendKey handed the key material to its owner and kept no usable
 * copy; ReinstateKey brings it back) and Shredded (ShredKey destroyed it; final).
 */
export const KeyStates = [
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'Unavailable',
  'Suspended',
  'Shredded',
] as const;
export type KeyState = (typeof KeyStates)[number];

export type KeyOrigin = 'AWS_KMS' | 'AWS_CLOUDHSM';

/** The AWS KeyMetadata subset the walking skeleton serves. Dates are ISO strings on the wire. */
export interface KeyMetadataDto {
  keyId: string;
  arn: string;
  accountId: string;
  description: string;
  keyState: KeyState;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  /** AWS_CLOUDHSM: placed in a domain named at CreateKey (customKeyStoreId); AWS_KMS: the default domain. */
  origin: KeyOrigin;
  /** The domain the key lives in, when CreateKey named it (AWS's CustomKeyStoreId). */
  customKeyStoreId?: string;
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

  /** The domain to place the key in (AWS's CustomKeyStoreId); without it, the default domain. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  customKeyStoreId?: string;
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

  /** Random bytes from a token of this domain (AWS's CustomKeyStoreId); without it, the default domain. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  customKeyStoreId?: string;
}

/** DescribeCustomKeyStores: the domains keys can be placed in (every tenant sees the provider's domains). */
export class DescribeCustomKeyStoresRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  customKeyStoreId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  customKeyStoreName?: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}
export interface CustomKeyStoreDto {
  customKeyStoreId: string;
  customKeyStoreName: string;
  /** CONNECTED while at least one member is up and holds the active generation. */
  connectionState: 'CONNECTED' | 'DISCONNECTED';
  creationDate: string;
  /** Region / jurisdiction labels the operators gave the domain. */
  labels: Record<string, string>;
  members: number;
  /** Keys created without a CustomKeyStoreId go to this one. */
  default: boolean;
}
export interface DescribeCustomKeyStoresReply {
  keyStores: CustomKeyStoreDto[];
  nextMarker?: string;
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

/** Symbolon's ShredKey: unusable at once, material destroyed in every token and its EKTs, a signed receipt back. */
export class ShredKeyRequest extends KeyScopedRequest {}
export interface ShredKeyReply {
  keyArn: string;
  receipt: SignedDocumentDto;
  /** Once every generation the receipt left pending is destroyed: the token's signed completion (the shred is final). */
  completion?: SignedDocumentDto;
}

/**
 * How key material is wrapped for its owner (SuspendKey) and for an import key (ReinstateKey), in AWS's name:
 * RSA-OAEP with SHA-1 and MGF1-SHA-1, all SoftHSM2 2.6.1 offers (ADR 0011).
 */
export const SUSPEND_WRAPPING_ALGORITHM = 'RSAES_OAEP_SHA_1';

/** Symbolon's SuspendKey: every version wrapped for the owner's RSA public key; the provider keeps no usable copy. */
export class SuspendKeyRequest extends KeyScopedRequest {
  /** SPKI DER, base64 (RSA 3072 or 4096 bits). */
  @IsBase64()
  @MaxLength(1024)
  publicKey!: string;
}
export interface SuspendKeyReply {
  keyArn: string;
  /** The suspend package: what ReinstateKey needs back, wrapped for the owner's key (versions oldest first). */
  versions: { version: number; wrapped: string }[];
}

/** An RSA-3072 public key made in a token for one ReinstateKey (as AWS GetParametersForImport). */
export class GetParametersForReinstateRequest extends KeyScopedRequest {}
export interface GetParametersForReinstateReply {
  keyArn: string;
  publicKey: string;
  importToken: string;
  parametersValidTo: string;
}

/** How an import token names the node and the import key (opaque to callers): base64url. */
export const IMPORT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

export class ReinstateKeyRequest extends KeyScopedRequest {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  versions!: number[];

  /** versions[i]'s key material, wrapped for the import key (or, literal form, as in the suspend package). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(1024, { each: true })
  wrapped!: string[];

  @IsOptional()
  @Matches(IMPORT_TOKEN_PATTERN)
  importToken?: string;

  /** The literal form: the owner's RSA private key (PKCS#8 DER, base64). Weaker: the provider sees the key. */
  @IsOptional()
  @IsBase64()
  @MaxLength(4096)
  privateKey?: string;
}
export interface ReinstateKeyReply {
  keyArn: string;
  keyState: KeyState;
}

export class GetSigningPublicKeyRequest extends TenantScopedRequest {}
export interface GetSigningPublicKeyReply {
  /** The domain's signer's key (SPKI DER, base64): what signs receipts and digests while it is up. */
  publicKey: string;
  /** Every member's token signing key (each token has its own), for verifiers that pin them all. */
  signers: { nodeId: string; publicKey: string }[];
}
