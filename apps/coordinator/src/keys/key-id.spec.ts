import { KmsError } from '@symbolon/contracts';

import { keyArn, parseKeyId } from './key-id.js';

const ID = '6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11';

describe('parseKeyId', () => {
  it('should read a key id when given a bare uuid', () => {
    expect(parseKeyId(ID)).toEqual({ kind: 'id', keyId: ID });
  });

  it('should read account and region when given a key ARN', () => {
    expect(parseKeyId(keyArn('eu-west-1', '111122223333', ID))).toEqual({
      kind: 'arn',
      region: 'eu-west-1',
      accountId: '111122223333',
      keyId: ID,
    });
  });

  it('should recognise aliases when given an alias name or alias ARN', () => {
    expect(parseKeyId('alias/app')).toEqual({ kind: 'alias', name: 'alias/app' });
    expect(parseKeyId('arn:aws:kms:us-east-1:111122223333:alias/app')).toEqual({
      kind: 'alias',
      name: 'alias/app',
    });
  });

  it.each(['not-a-key', '', `${ID}x`, ID.toUpperCase().replace(/-/g, '')])(
    'should answer NOT_FOUND when the key id %j is malformed',
    (input) => {
      expect(() => parseKeyId(input)).toThrow(KmsError);
      try {
        parseKeyId(input);
      } catch (e) {
        expect((e as KmsError).code).toBe('NOT_FOUND');
      }
    },
  );

  it('should answer NOT_FOUND when the ARN is malformed', () => {
    try {
      parseKeyId('arn:aws:kms:us-east-1:12:key/x');
      throw new Error('no error');
    } catch (e) {
      expect((e as KmsError).code).toBe('NOT_FOUND');
      expect((e as KmsError).message).toBe('Invalid arn arn:aws:kms:us-east-1:12:key/x');
    }
  });
});
