import {
  type AliasChangeReply,
  LIST_ALIASES_DEFAULT_LIMIT,
  LIST_ALIASES_MAX_LIMIT,
  type ListAliasesReply,
  RESERVED_ALIAS_PREFIX,
  Subjects,
} from '@symbolon/contracts';

import { AwsError, validationError } from '../aws-error.js';
import type { Input } from './input.js';
import type { Operation } from './operation.js';

/** The AliasName member as the AWS model constrains it (1-256 characters). */
const MODEL_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/**
 * AliasName with AWS's answers, in AWS's order: the model's length and pattern (ValidationException), then the
 * `alias/` prefix (ValidationException "Invalid identifier"), then a colon after it (ValidationException), then the
 * reserved `alias/aws/` prefix, which AWS refuses with NotAuthorizedException when `reserved` is checked.
 */
export function aliasName(input: Input, opts: { reserved: boolean }): string {
  const name = input.string('AliasName', { required: true, max: 256 });
  input.done();
  const value = name!;
  if (!MODEL_PATTERN.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${MODEL_PATTERN.source}`,
    );
  }
  if (!value.startsWith('alias/') || value.length === 'alias/'.length) {
    throw validationError('Invalid identifier');
  }
  if (value.includes(':')) throw validationError(`${value} contains invalid characters for an alias`);
  if (opts.reserved && value.startsWith(RESERVED_ALIAS_PREFIX)) {
    throw new AwsError(
      'NotAuthorizedException',
      `Aliases beginning with ${RESERVED_ALIAS_PREFIX} are reserved.`,
    );
  }
  return value;
}

function targetKeyId(input: Input): string {
  const target = input.string('TargetKeyId', { required: true, max: 2048 });
  input.done();
  return target!;
}

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
export const aliasOperations: Record<string, Operation> = {
  async CreateAlias({ input, scope, rpc }) {
    const target = targetKeyId(input);
    const name = aliasName(input, { reserved: true });
    const r = await rpc.send<AliasChangeReply>(Subjects.aliases.create, {
      ...scope,
      aliasName: name,
      targetKeyId: target,
    });
    return { output: {}, keyArn: r.keyArn };
  },

  async UpdateAlias({ input, scope, rpc }) {
    const target = targetKeyId(input);
    const name = aliasName(input, { reserved: true });
    const r = await rpc.send<AliasChangeReply>(Subjects.aliases.update, {
      ...scope,
      aliasName: name,
      targetKeyId: target,
    });
    return { output: {}, keyArn: r.keyArn };
  },

  async DeleteAlias({ input, scope, rpc }) {
    const name = aliasName(input, { reserved: true });
    const r = await rpc.send<AliasChangeReply>(Subjects.aliases.delete, { ...scope, aliasName: name });
    return { output: {}, keyArn: r.keyArn };
  },

  async ListAliases({ input, scope, rpc }) {
    const keyId = input.string('KeyId', { max: 2048 });
    const limit =
      input.integer('Limit', { min: 1, max: LIST_ALIASES_MAX_LIMIT }) ?? LIST_ALIASES_DEFAULT_LIMIT;
    const marker = input.string('Marker', { max: 1024 });
    input.done();
    const r = await rpc.send<ListAliasesReply>(Subjects.aliases.list, {
      ...scope,
      limit,
      ...(keyId !== undefined ? { keyId } : {}),
      ...(marker !== undefined ? { marker } : {}),
    });
    return {
      output: {
        Aliases: r.aliases.map((a) => ({
          AliasName: a.aliasName,
          AliasArn: a.aliasArn,
          TargetKeyId: a.targetKeyId,
          CreationDate: Date.parse(a.creationDate) / 1000,
          LastUpdatedDate: Date.parse(a.lastUpdatedDate) / 1000,
        })),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
      ...(r.keyArn !== undefined ? { keyArn: r.keyArn } : {}),
    };
  },
};
