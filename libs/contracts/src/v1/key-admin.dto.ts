import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  type ValidationOptions,
  registerDecorator,
} from 'class-validator';

import { KeyScopedRequest } from './keys.dto.js';

/** AWS tag limits for KMS keys. */
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
export const MAX_TAGS_PER_KEY = 50;
/** Tag keys beginning with this prefix (in any case) are reserved for AWS. */
export const RESERVED_TAG_PREFIX = 'aws:';
/** ListResourceTags: Limit 1-50, default 50 (AWS). */
export const LIST_TAGS_MAX_LIMIT = 50;
/** UpdateKeyDescription / CreateKey: 0-8192 characters. */
export const DESCRIPTION_MAX_LENGTH = 8192;

export interface TagDto {
  tagKey: string;
  tagValue: string;
}

/** A list of {tagKey, tagValue} with AWS's lengths (1-128, 0-256), at most `maxItems` entries. */
function IsTagList(maxItems: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isTagList',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be a list of at most ${maxItems} {tagKey, tagValue} string pairs`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.length <= maxItems &&
          value.every((t: unknown) => {
            if (typeof t !== 'object' || t === null || Array.isArray(t)) return false;
            const { tagKey, tagValue } = t as Record<string, unknown>;
            return (
              typeof tagKey === 'string' &&
              tagKey.length >= 1 &&
              tagKey.length <= TAG_KEY_MAX_LENGTH &&
              typeof tagValue === 'string' &&
              tagValue.length <= TAG_VALUE_MAX_LENGTH
            );
          }),
      },
    });
  };
}

export class TagResourceRequest extends KeyScopedRequest {
  @IsTagList(MAX_TAGS_PER_KEY * 2)
  tags!: TagDto[];
}

export class UntagResourceRequest extends KeyScopedRequest {
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(TAG_KEY_MAX_LENGTH, { each: true })
  tagKeys!: string[];
}

export class ListResourceTagsRequest extends KeyScopedRequest {
  @IsInt()
  @Min(1)
  @Max(LIST_TAGS_MAX_LIMIT)
  limit!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  marker?: string;
}

export interface ListResourceTagsReply {
  keyArn: string;
  tags: TagDto[];
  nextMarker?: string;
}

export class UpdateKeyDescriptionRequest extends KeyScopedRequest {
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description!: string;
}

export class EnableKeyRequest extends KeyScopedRequest {}
export class DisableKeyRequest extends KeyScopedRequest {}

/** Key administration answers only which key it changed (for the audit record). */
export interface KeyAdminReply {
  keyArn: string;
}
