import { IsISO8601, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

import type { SignedDocumentDto } from './hsm.dto.js';
import type { DecisionDto } from './keys.dto.js';
import { ACCOUNT_ID_PATTERN, TenantScopedRequest } from './tenant-scoped.request.js';

/**
 * One handled request, published by the gateway to JetStream (Subjects.events.requestHandled) before it answers.
 * Never holds plaintext, key material or secrets.
 */
export interface RequestHandledEvent {
  requestId: string;
  time: string;
  /** null when the caller could not be authenticated. */
  tenantId: string | null;
  principal: string | null;
  accessKeyId: string | null;
  sourceIp: string;
  operation: string;
  keyArn: string | null;
  keyVersion: number | null;
  encryptionContext: Record<string, string> | null;
  decision: DecisionDto | null;
  /** 'ok' or the AWS error type answered. */
  outcome: string;
  httpStatus: number;
  /** The bucket or object an S3 request named (`/bucket/key`), from the storage service; absent for the KMS API. */
  resource?: string;
}

/** Operations that count as a use of a key version to encrypt (usage counters). */
export const ENCRYPTING_OPERATIONS: readonly string[] = [
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  // Counted for its destination key (the record's key): it seals under that key's version.
  'ReEncrypt',
];

export class AuditQueryRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  /** Tenant whose records to read; only its own records are ever returned. */
  @Matches(ACCOUNT_ID_PATTERN)
  tenantId!: string;

  /** Records of this key: every account's uses of it (the tenant must own it: the coordinator checked). */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyArn?: string;

  /** Up to 1000 records, plus one to tell whether there are more. */
  @IsInt()
  @Min(1)
  @Max(1001)
  limit!: number;

  /** Only records of this operation (e.g. Decrypt, Symbolon.GetKeyUsage). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  operation?: string;

  /** ISO instants, inclusive: records at or after startTime, at or before endTime. */
  @IsOptional()
  @IsISO8601()
  startTime?: string;

  @IsOptional()
  @IsISO8601()
  endTime?: string;

  /** Records older than this sequence (the previous page's last): pages run newest first. */
  @IsOptional()
  @IsInt()
  @Min(1)
  beforeSequence?: number;
}
export interface AuditRecordDto extends RequestHandledEvent {
  sequence: number;
  hash: string;
}
export interface AuditQueryReply {
  records: AuditRecordDto[];
  total: number;
}

export class UsageRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  tenantId!: string;

  @IsString()
  @MaxLength(2048)
  keyArn!: string;
}
export interface UsageReply {
  versions: { keyVersion: number; encryptions: number }[];
}

/** Key versions whose encryptions reached `atLeast` (the coordinator's wear-out check), most used first. */
export class WornVersionsRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @IsInt()
  @Min(1)
  atLeast!: number;

  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;
}
export interface WornVersionsReply {
  versions: { keyArn: string; keyVersion: number; encryptions: number }[];
}

/** Symbolon's ListAuditEvents (gateway -> coordinator): the caller's records, or every record of one of its keys. */
export class ListAuditEventsRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyId?: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  operation?: string;

  @IsOptional()
  @IsISO8601()
  startTime?: string;

  @IsOptional()
  @IsISO8601()
  endTime?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}
export interface ListAuditEventsReply {
  keyArn?: string;
  events: AuditRecordDto[];
  nextMarker?: string;
}

/**
 * One link of the audit chain as a tenant may see it: sequence, previous hash, hash, and the record itself only when
 * it is the tenant's own (libs/evidence's export format).
 */
export interface ChainLinkDto {
  s: number;
  p: string;
  h: string;
  r?: string;
}

/** A run of the chain from fromSequence, for one tenant (own records in full) or one of its keys. */
export class AuditChainRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @Matches(ACCOUNT_ID_PATTERN)
  tenantId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyArn?: string;

  @IsInt()
  @Min(1)
  fromSequence!: number;

  @IsInt()
  @Min(1)
  @Max(10000)
  limit!: number;
}
export interface AuditChainReply {
  links: ChainLinkDto[];
  /** Signed digests whose sequence is among the links. */
  digests: SignedDocumentDto[];
  /** The chain's last sequence now (0 when empty). */
  headSequence: number;
}

/** Symbolon's ExportAuditChain (gateway -> coordinator). */
export class ExportAuditChainRequest extends TenantScopedRequest {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyId?: string;

  @IsInt()
  @Min(1)
  fromSequence!: number;

  @IsInt()
  @Min(1)
  @Max(10000)
  limit!: number;
}
export interface ExportAuditChainReply extends AuditChainReply {
  keyArn?: string;
}

/** audit -> coordinator: sign the chain head inside a token. */
export class SignAuditDigestRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @IsInt()
  @Min(1)
  sequence!: number;

  @Matches(/^[0-9a-f]{64}$/)
  hash!: string;
}
