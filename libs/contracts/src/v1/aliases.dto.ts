import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

import { TenantScopedRequest } from './tenant-scoped.request.js';

/** AWS: 1-256 characters, `alias/` then letters, digits, '/', '_' and '-'. */
export const ALIAS_NAME_MAX_LENGTH = 256;
export const ALIAS_NAME_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
/** Reserved for AWS managed keys: customers can never create, move or delete such an alias. */
export const RESERVED_ALIAS_PREFIX = 'alias/aws/';
/** ListAliases: Limit 1-100, default 50 (AWS). */
export const LIST_ALIASES_MAX_LIMIT = 100;
export const LIST_ALIASES_DEFAULT_LIMIT = 50;

/** A customer alias name: the gateway has already answered AWS's exact error for anything else. */
class AliasNamed extends TenantScopedRequest {
  @IsString()
  @MaxLength(ALIAS_NAME_MAX_LENGTH)
  @Matches(ALIAS_NAME_PATTERN)
  aliasName!: string;
}

/** TargetKeyId: a key id or key ARN (never an alias) of the caller's own account. */
export class CreateAliasRequest extends AliasNamed {
  @IsString()
  @MaxLength(2048)
  targetKeyId!: string;
}

export class UpdateAliasRequest extends AliasNamed {
  @IsString()
  @MaxLength(2048)
  targetKeyId!: string;
}

export class DeleteAliasRequest extends AliasNamed {}

/** The key the alias named (or now names): for the audit record. */
export interface AliasChangeReply {
  keyArn: string;
}

export class ListAliasesRequest extends TenantScopedRequest {
  /** Only the aliases of this key (key id or key ARN). */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  keyId?: string;

  @IsInt()
  @Min(1)
  @Max(LIST_ALIASES_MAX_LIMIT)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}

export interface AliasDto {
  aliasName: string;
  aliasArn: string;
  targetKeyId: string;
  /** ISO strings on the wire. */
  creationDate: string;
  lastUpdatedDate: string;
}

export interface ListAliasesReply {
  aliases: AliasDto[];
  nextMarker?: string;
  /** Set when the request named a key: for the audit record. */
  keyArn?: string;
}
