import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { ARN, KEY_ID, SCOPE, refusal, run } from './operation.test-helper.js';

const answering = (subject: string, reply: unknown = { keyArn: ARN }) =>
  new RecordingRpc().reply(subject, reply);

describe('keyAdminOperations', () => {
  it.each([
    ['EnableKey', Subjects.keys.enable, {}, {}],
    ['DisableKey', Subjects.keys.disable, {}, {}],
    ['UpdateKeyDescription', Subjects.keys.updateDescription, { Description: '' }, { description: '' }],
    ['UntagResource', Subjects.keys.untagResource, { TagKeys: ['a'] }, { tagKeys: ['a'] }],
    [
      'TagResource',
      Subjects.keys.tagResource,
      { Tags: [{ TagKey: 'k', TagValue: '' }] },
      { tags: [{ tagKey: 'k', tagValue: '' }] },
    ],
  ])('should send %s to the coordinator and answer an empty body', async (op, subject, body, payload) => {
    const rpc = answering(subject);
    const r = await run(op, { KeyId: KEY_ID, ...body }, rpc);
    expect(rpc.calls).toEqual([{ subject, payload: { ...SCOPE, keyId: KEY_ID, ...payload } }]);
    expect(r).toEqual({ output: {}, keyArn: ARN });
  });

  it.each([
    'EnableKey',
    'DisableKey',
    'UpdateKeyDescription',
    'TagResource',
    'UntagResource',
    'ListResourceTags',
  ])('should refuse %s with ValidationException when KeyId is missing or longer than 2048', async (op) => {
    const extra = { Description: 'd', Tags: [], TagKeys: ['a'] };
    expect((await refusal(op, extra)).type).toBe('ValidationException');
    expect((await refusal(op, { KeyId: 'x'.repeat(2049), ...extra })).type).toBe('ValidationException');
  });

  it('should accept a description of 8192 characters and refuse 8193', async () => {
    await run(
      'UpdateKeyDescription',
      { KeyId: KEY_ID, Description: 'd'.repeat(8192) },
      answering(Subjects.keys.updateDescription),
    );
    const e = await refusal('UpdateKeyDescription', { KeyId: KEY_ID, Description: 'd'.repeat(8193) });
    expect(e.type).toBe('ValidationException');
  });

  it('should refuse UpdateKeyDescription when Description is missing', async () => {
    expect((await refusal('UpdateKeyDescription', { KeyId: KEY_ID })).type).toBe('ValidationException');
  });

  it('should accept TagKey of 128 and TagValue of 256 characters and refuse one more of each', async () => {
    const ok = { TagKey: 'k'.repeat(128), TagValue: 'v'.repeat(256) };
    await run('TagResource', { KeyId: KEY_ID, Tags: [ok] }, answering(Subjects.keys.tagResource));
    for (const bad of [
      { ...ok, TagKey: 'k'.repeat(129) },
      { ...ok, TagValue: 'v'.repeat(257) },
      { ...ok, TagKey: '' },
    ]) {
      expect((await refusal('TagResource', { KeyId: KEY_ID, Tags: [bad] })).type).toBe('ValidationException');
    }
  });

  it.each([
    ['missing', undefined, 'ValidationException'],
    ['not a list', { TagKey: 'a', TagValue: 'b' }, 'SerializationException'],
    ['a list of strings', ['a'], 'SerializationException'],
    ['without TagValue', [{ TagKey: 'a' }], 'ValidationException'],
    ['with a number value', [{ TagKey: 'a', TagValue: 1 }], 'SerializationException'],
  ])('should refuse TagResource when Tags is %s', async (_, tags, type) => {
    expect((await refusal('TagResource', { KeyId: KEY_ID, Tags: tags })).type).toBe(type);
  });

  it.each([
    ['missing', undefined],
    ['holding an empty key', ['']],
    ['holding a 129-character key', ['k'.repeat(129)]],
  ])('should refuse UntagResource when TagKeys is %s', async (_, tagKeys) => {
    expect((await refusal('UntagResource', { KeyId: KEY_ID, TagKeys: tagKeys })).type).toBe(
      'ValidationException',
    );
  });

  it('should map tags to AWS ListResourceTags output and default Limit to 50', async () => {
    const rpc = answering(Subjects.keys.listResourceTags, {
      keyArn: ARN,
      tags: [{ tagKey: 'a', tagValue: '1' }],
      nextMarker: 'm',
    });
    const r = await run('ListResourceTags', { KeyId: KEY_ID }, rpc);
    expect(rpc.calls[0]!.payload).toEqual({ ...SCOPE, keyId: KEY_ID, limit: 50 });
    expect(r).toEqual({
      output: { Tags: [{ TagKey: 'a', TagValue: '1' }], Truncated: true, NextMarker: 'm' },
      keyArn: ARN,
    });
  });

  it.each([0, 51])('should refuse ListResourceTags when Limit is %s', async (limit) => {
    expect((await refusal('ListResourceTags', { KeyId: KEY_ID, Limit: limit })).type).toBe(
      'ValidationException',
    );
  });
});
