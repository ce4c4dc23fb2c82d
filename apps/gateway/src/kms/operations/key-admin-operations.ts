import {
  DESCRIPTION_MAX_LENGTH,
  type KeyAdminReply,
  LIST_TAGS_MAX_LIMIT,
  type ListResourceTagsReply,
  Subjects,
  TAG_KEY_MAX_LENGTH,
  TAG_VALUE_MAX_LENGTH,
  type TagDto,
} from '@symbolon/contracts';

import { validationError } from '../aws-error.js';
import type { Input } from './input.js';
import { type Operation, type OperationCall, type OperationResult, requiredKeyId } from './operation.js';

/** UntagResource accepts at most this many tag keys in one request (a bound of ours; AWS documents none). */
const MAX_UNTAG_KEYS = 1000;
/** TagResource accepts at most this many tags in one request; the 50-per-key limit is the coordinator's. */
const MAX_TAGS_IN_REQUEST = 100;

function tags(input: Input): TagDto[] {
  if (!input.has('Tags')) {
    input.done();
    throw validationError(
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
  }
  const items = input.objectList('Tags');
  input.done();
  if (items.length > MAX_TAGS_IN_REQUEST) {
    throw validationError(
      `Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS_IN_REQUEST}`,
    );
  }
  return items.map((tag) => {
    const tagKey = tag.string('TagKey', { required: true, max: TAG_KEY_MAX_LENGTH });
    const tagValue = tag.string('TagValue', { required: true, min: 0, max: TAG_VALUE_MAX_LENGTH });
    tag.done();
    return { tagKey: tagKey!, tagValue: tagValue! };
  });
}

/** An operation on one key that answers nothing but changes it. */
async function keyChange(
  call: OperationCall,
  subject: string,
  extra: Record<string, unknown>,
  id: string,
): Promise<OperationResult> {
  const r = await call.rpc.send<KeyAdminReply>(subject, { ...call.scope, keyId: id, ...extra });
  return { output: {}, keyArn: r.keyArn };
}

/** TagResource, UntagResource, ListResourceTags, UpdateKeyDescription, EnableKey, DisableKey. */
export const keyAdminOperations: Record<string, Operation> = {
  async TagResource(call) {
    const id = requiredKeyId(call.input);
    return keyChange(call, Subjects.keys.tagResource, { tags: tags(call.input) }, id);
  },

  async UntagResource(call) {
    const { input } = call;
    const id = requiredKeyId(input);
    const present = input.has('TagKeys');
    const tagKeys = input.stringList('TagKeys', { maxItems: MAX_UNTAG_KEYS, maxLength: TAG_KEY_MAX_LENGTH });
    input.done();
    if (!present) {
      throw validationError(
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
      );
    }
    return keyChange(call, Subjects.keys.untagResource, { tagKeys }, id);
  },

  async ListResourceTags({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    const limit = input.integer('Limit', { min: 1, max: LIST_TAGS_MAX_LIMIT }) ?? LIST_TAGS_MAX_LIMIT;
    const marker = input.string('Marker', { max: 1024 });
    input.done();
    const r = await rpc.send<ListResourceTagsReply>(Subjects.keys.listResourceTags, {
      ...scope,
      keyId: id,
      limit,
      ...(marker !== undefined ? { marker } : {}),
    });
    return {
      output: {
        Tags: r.tags.map((t) => ({ TagKey: t.tagKey, TagValue: t.tagValue })),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
      keyArn: r.keyArn,
    };
  },

  async UpdateKeyDescription(call) {
    const { input } = call;
    const id = requiredKeyId(input);
    const description = input.string('Description', { required: true, min: 0, max: DESCRIPTION_MAX_LENGTH });
    input.done();
    return keyChange(call, Subjects.keys.updateDescription, { description }, id);
  },

  async EnableKey(call) {
    const id = requiredKeyId(call.input);
    call.input.done();
    return keyChange(call, Subjects.keys.enable, {}, id);
  },

  async DisableKey(call) {
    const id = requiredKeyId(call.input);
    call.input.done();
    return keyChange(call, Subjects.keys.disable, {}, id);
  },
};
