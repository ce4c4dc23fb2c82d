import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { ARN, KEY_ID, SCOPE, refusal, run } from './operation.test-helper.js';

const changed = () =>
  new RecordingRpc()
    .reply(Subjects.aliases.create, { keyArn: ARN })
    .reply(Subjects.aliases.update, { keyArn: ARN })
    .reply(Subjects.aliases.delete, { keyArn: ARN });

describe('aliasOperations', () => {
  it.each([
    ['CreateAlias', Subjects.aliases.create],
    ['UpdateAlias', Subjects.aliases.update],
  ])(
    'should send %s to the coordinator and answer an empty body when the input is valid',
    async (op, subject) => {
      const rpc = changed();
      const r = await run(op, { AliasName: 'alias/app', TargetKeyId: KEY_ID }, rpc);
      expect(rpc.calls).toEqual([
        { subject, payload: { ...SCOPE, aliasName: 'alias/app', targetKeyId: KEY_ID } },
      ]);
      expect(r).toEqual({ output: {}, keyArn: ARN });
    },
  );

  it('should accept a 256-character alias name and refuse 257 characters with ValidationException', async () => {
    const name = `alias/${'a'.repeat(250)}`;
    expect(name).toHaveLength(256);
    await run('CreateAlias', { AliasName: name, TargetKeyId: KEY_ID }, changed());
    const e = await refusal('CreateAlias', { AliasName: `${name}b`, TargetKeyId: KEY_ID });
    expect(e.type).toBe('ValidationException');
    expect(e.message).toContain('less than or equal to 256');
  });

  it.each([
    ['empty', '', 'ValidationException', 'greater than or equal to 1'],
    ['without the alias/ prefix', 'app', 'ValidationException', 'Invalid identifier'],
    ['only the prefix', 'alias/', 'ValidationException', 'Invalid identifier'],
    ['with a space', 'alias/my app', 'ValidationException', 'regular expression pattern'],
    ['with a dot', 'alias/my.app', 'ValidationException', 'regular expression pattern'],
    ['with a colon', 'alias/my:app', 'ValidationException', 'contains invalid characters for an alias'],
    [
      'an alias ARN',
      'arn:aws:kms:us-east-1:111122223333:alias/app',
      'ValidationException',
      'Invalid identifier',
    ],
    ['reserved for AWS', 'alias/aws/s3', 'NotAuthorizedException', 'reserved'],
  ])('should refuse an alias name that is %s', async (_, name, type, message) => {
    for (const op of ['CreateAlias', 'UpdateAlias', 'DeleteAlias']) {
      const e = await refusal(op, { AliasName: name, TargetKeyId: KEY_ID });
      expect(e.type).toBe(type);
      expect(e.message).toContain(message);
    }
  });

  it.each([
    ['a number', 5, 'SerializationException'],
    ['missing', undefined, 'ValidationException'],
  ])('should refuse AliasName when it is %s', async (_, value, type) => {
    expect((await refusal('CreateAlias', { AliasName: value, TargetKeyId: KEY_ID })).type).toBe(type);
  });

  it('should refuse CreateAlias when TargetKeyId is missing or longer than 2048', async () => {
    expect((await refusal('CreateAlias', { AliasName: 'alias/a' })).type).toBe('ValidationException');
    expect((await refusal('CreateAlias', { AliasName: 'alias/a', TargetKeyId: 'x'.repeat(2049) })).type).toBe(
      'ValidationException',
    );
  });

  it('should map aliases to AWS ListAliases entries with Truncated and NextMarker', async () => {
    const rpc = new RecordingRpc().reply(Subjects.aliases.list, {
      aliases: [
        {
          aliasName: 'alias/app',
          aliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/app',
          targetKeyId: KEY_ID,
          creationDate: '2024-01-02T03:04:05.000Z',
          lastUpdatedDate: '2024-01-02T03:04:06.000Z',
        },
      ],
      nextMarker: 'm',
    });
    const r = await run('ListAliases', { Limit: 1 }, rpc);
    expect(rpc.calls[0]!.payload).toEqual({ ...SCOPE, limit: 1 });
    expect(r.output).toEqual({
      Aliases: [
        {
          AliasName: 'alias/app',
          AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/app',
          TargetKeyId: KEY_ID,
          CreationDate: 1704164645,
          LastUpdatedDate: 1704164646,
        },
      ],
      Truncated: true,
      NextMarker: 'm',
    });
  });

  it('should default Limit to 50 and pass KeyId and Marker when given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.aliases.list, { aliases: [], keyArn: ARN });
    const r = await run('ListAliases', { KeyId: KEY_ID, Marker: 'abc' }, rpc);
    expect(rpc.calls[0]!.payload).toEqual({ ...SCOPE, limit: 50, keyId: KEY_ID, marker: 'abc' });
    expect(r).toEqual({ output: { Aliases: [], Truncated: false }, keyArn: ARN });
  });

  it.each([0, 101, 1.5])('should refuse ListAliases when Limit is %s', async (limit) => {
    const e = await refusal('ListAliases', { Limit: limit });
    expect(['ValidationException', 'SerializationException']).toContain(e.type);
  });

  it('should accept ListAliases Limit 100 and refuse a Marker longer than 1024', async () => {
    const rpc = new RecordingRpc().reply(Subjects.aliases.list, { aliases: [] });
    await run('ListAliases', { Limit: 100 }, rpc);
    expect((await refusal('ListAliases', { Marker: 'm'.repeat(1025) })).type).toBe('ValidationException');
  });
});
