import { type DecisionDto, ErrorCodes, type KeyMetadataDto, KmsError, Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { RecordingRpc, asFake } from '../../../../../libs/testing/src/fakes/index.js';
import { toAwsError } from '../aws-error.js';
import { Input } from './input.js';
import { ARN, KEY_ID, SCOPE, refusal, run } from './operation.test-helper.js';
import { type OperationCall } from './operation.js';
import { Operations } from './registry.js';

const ALLOW: DecisionDto = { effect: 'ALLOW', reason: 'key policy: root account' };
/** A custom key store id as the coordinator makes them (a domain id). */
const CKS = 'cks-1234567890abcdef0';

function metadata(overrides: Partial<KeyMetadataDto> = {}): KeyMetadataDto {
  return {
    keyId: KEY_ID,
    arn: ARN,
    accountId: '111122223333',
    description: 'test key',
    keyState: 'Enabled',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    creationDate: '2024-01-02T03:04:05.000Z',
    currentVersion: 1,
    ...overrides,
  };
}

function call(body: Record<string, unknown>, rpc: RecordingRpc): OperationCall {
  return { input: new Input(body), scope: SCOPE, rpc: asFake<RpcClient>(rpc), audit: {} };
}

describe('Operations', () => {
  it('should serve exactly the registered symmetric operations when listed', () => {
    expect(Object.keys(Operations).sort()).toEqual([
      'CancelKeyDeletion',
      'CreateAlias',
      'CreateGrant',
      'CreateKey',
      'Decrypt',
      'DeleteAlias',
      'DescribeCustomKeyStores',
      'DescribeKey',
      'DisableKey',
      'DisableKeyRotation',
      'EnableKey',
      'EnableKeyRotation',
      'Encrypt',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'GenerateRandom',
      'GetKeyPolicy',
      'GetKeyRotationStatus',
      'ListAliases',
      'ListGrants',
      'ListKeyPolicies',
      'ListKeyRotations',
      'ListKeys',
      'ListResourceTags',
      'ListRetirableGrants',
      'PutKeyPolicy',
      'ReEncrypt',
      'RetireGrant',
      'RevokeGrant',
      'RotateKeyOnDemand',
      'ScheduleKeyDeletion',
      'TagResource',
      'UntagResource',
      'UpdateAlias',
      'UpdateKeyDescription',
    ]);
  });

  it('should pass a KmsError of the coordinator through when the request fails there', async () => {
    const rpc = new RecordingRpc().on(Subjects.keys.describe, () => {
      throw new KmsError(ErrorCodes.NOT_FOUND, `Key '${ARN}' does not exist`);
    });
    await expect(run('DescribeKey', { KeyId: KEY_ID }, rpc)).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });
});

describe('CreateKey', () => {
  it('should send the description to kms.v1.keys.create and answer AWS KeyMetadata when the request is plain', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, { key: metadata() });
    const r = await run('CreateKey', { Description: 'test key' }, rpc);
    expect(rpc.calls).toEqual([
      { subject: Subjects.keys.create, payload: { ...SCOPE, description: 'test key' } },
    ]);
    expect(r.output).toEqual({
      KeyMetadata: {
        AWSAccountId: '111122223333',
        KeyId: KEY_ID,
        Arn: ARN,
        CreationDate: 1704164645,
        Enabled: true,
        Description: 'test key',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      },
    });
    expect(r.keyArn).toBe(ARN);
    expect(r.keyVersion).toBe(1);
  });

  it('should give CreationDate in epoch seconds with the milliseconds as a fraction when the date has them', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, {
      key: metadata({ creationDate: '2024-01-02T03:04:05.250Z' }),
    });
    const r = await run('CreateKey', {}, rpc);
    expect((r.output['KeyMetadata'] as Record<string, unknown>)['CreationDate']).toBe(1704164645.25);
  });

  it('should accept the supported values when they are given explicitly', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, { key: metadata() });
    await run(
      'CreateKey',
      {
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        MultiRegion: false,
      },
      rpc,
    );
    expect(rpc.calls).toHaveLength(1);
  });

  it.each([
    [{ KeyUsage: 'SIGN_VERIFY' }, 'KeyUsage SIGN_VERIFY'],
    [{ KeyUsage: 'GENERATE_VERIFY_MAC' }, 'KeyUsage GENERATE_VERIFY_MAC'],
    [{ KeySpec: 'RSA_2048' }, 'KeySpec RSA_2048'],
    [{ CustomerMasterKeySpec: 'ECC_NIST_P256' }, 'CustomerMasterKeySpec ECC_NIST_P256'],
    [{ Origin: 'EXTERNAL' }, 'Origin EXTERNAL'],
    [{ Origin: 'EXTERNAL_KEY_STORE' }, 'Origin EXTERNAL_KEY_STORE'],
    [{ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: CKS }, 'Origin EXTERNAL_KEY_STORE'],
    [{ Tags: [{ TagKey: 'a', TagValue: 'b' }] }, 'Tags'],
    [{ XksKeyId: 'x' }, 'XksKeyId'],
    [{ MultiRegion: true }, 'MultiRegion'],
  ])('should refuse with UnsupportedOperationException when given %j', async (body, what) => {
    const rpc = new RecordingRpc();
    expect(await refusal('CreateKey', body, rpc)).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${what} is not supported by this endpoint.`,
    });
    expect(rpc.calls).toEqual([]);
  });

  it('should answer ValidationException when KeyUsage is not an AWS value', async () => {
    const e = await refusal('CreateKey', { KeyUsage: 'ENCRYPT' });
    expect(e.type).toBe('ValidationException');
    expect(e.message).toContain(
      "Value 'ENCRYPT' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set",
    );
  });

  it('should read each of KeyUsage, KeySpec, CustomerMasterKeySpec and Origin once when they are given', async () => {
    const reads = new Map<string | symbol, number>();
    const body = new Proxy(
      {
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
      } as Record<string, unknown>,
      {
        get(target, name, receiver) {
          reads.set(name, (reads.get(name) ?? 0) + 1);
          return Reflect.get(target, name, receiver) as unknown;
        },
      },
    );
    const rpc = new RecordingRpc().reply(Subjects.keys.create, { key: metadata() });
    await run('CreateKey', body, rpc);
    expect(rpc.calls).toHaveLength(1);
    expect({
      KeyUsage: reads.get('KeyUsage'),
      KeySpec: reads.get('KeySpec'),
      CustomerMasterKeySpec: reads.get('CustomerMasterKeySpec'),
      Origin: reads.get('Origin'),
    }).toEqual({ KeyUsage: 1, KeySpec: 1, CustomerMasterKeySpec: 1, Origin: 1 });
  });

  it('should answer ValidationException before UnsupportedOperationException when Origin is not an AWS value', async () => {
    const e = await refusal('CreateKey', { KeyUsage: 'SIGN_VERIFY', Origin: 'NOWHERE' });
    expect(e.type).toBe('ValidationException');
  });

  it('should answer ValidationException when the description is longer than 8192 characters', async () => {
    expect((await refusal('CreateKey', { Description: 'd'.repeat(8193) })).type).toBe('ValidationException');
  });

  it('should send customKeyStoreId and answer Origin AWS_CLOUDHSM with CustomKeyStoreId when the key is placed in a custom key store', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, {
      key: metadata({ origin: 'AWS_CLOUDHSM', customKeyStoreId: CKS }),
    });
    const r = await run(
      'CreateKey',
      { Description: 'test key', Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: CKS },
      rpc,
    );
    expect(rpc.calls).toEqual([
      {
        subject: Subjects.keys.create,
        payload: { ...SCOPE, description: 'test key', customKeyStoreId: CKS },
      },
    ]);
    expect(r.output).toEqual({
      KeyMetadata: {
        AWSAccountId: '111122223333',
        KeyId: KEY_ID,
        Arn: ARN,
        CreationDate: 1704164645,
        Enabled: true,
        Description: 'test key',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_CLOUDHSM',
        CustomKeyStoreId: CKS,
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      },
    });
  });

  it('should send no customKeyStoreId and answer no CustomKeyStoreId when the key goes to the default domain', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, { key: metadata() });
    const r = await run('CreateKey', { Origin: 'AWS_KMS' }, rpc);
    expect(rpc.calls[0]?.payload).not.toHaveProperty('customKeyStoreId');
    expect(r.output['KeyMetadata']).not.toHaveProperty('CustomKeyStoreId');
    expect(r.output['KeyMetadata']).toMatchObject({ Origin: 'AWS_KMS' });
  });

  it('should send a CustomKeyStoreId of exactly 64 characters when Origin is AWS_CLOUDHSM', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.create, { key: metadata() });
    await run('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'c'.repeat(64) }, rpc);
    expect(rpc.calls[0]?.payload['customKeyStoreId']).toBe('c'.repeat(64));
  });

  it.each([
    ['Origin is not given', { CustomKeyStoreId: CKS }],
    ['Origin is AWS_KMS', { CustomKeyStoreId: CKS, Origin: 'AWS_KMS' }],
  ])(
    'should answer ValidationException without calling the coordinator when CustomKeyStoreId is given and %s',
    async (_, body) => {
      const rpc = new RecordingRpc();
      expect(await refusal('CreateKey', body, rpc)).toMatchObject({
        type: 'ValidationException',
        message:
          'To create a key in a custom key store, set Origin to AWS_CLOUDHSM with the CustomKeyStoreId.',
      });
      expect(rpc.calls).toEqual([]);
    },
  );

  it('should answer ValidationException without calling the coordinator when Origin is AWS_CLOUDHSM without CustomKeyStoreId', async () => {
    const rpc = new RecordingRpc();
    expect(await refusal('CreateKey', { Origin: 'AWS_CLOUDHSM' }, rpc)).toMatchObject({
      type: 'ValidationException',
      message: 'Origin AWS_CLOUDHSM requires a CustomKeyStoreId.',
    });
    expect(rpc.calls).toEqual([]);
  });

  it.each([
    ['empty', '', 'greater than or equal to 1'],
    ['65 characters long', 'c'.repeat(65), 'less than or equal to 64'],
  ])(
    'should answer a constraint ValidationException without calling the coordinator when CustomKeyStoreId is %s',
    async (_, id, bound) => {
      const rpc = new RecordingRpc();
      expect(await refusal('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }, rpc)).toMatchObject(
        {
          type: 'ValidationException',
          message: `1 validation error detected: Value at 'customKeyStoreId' failed to satisfy constraint: Member must have length ${bound}`,
        },
      );
      expect(rpc.calls).toEqual([]);
    },
  );

  it('should answer SerializationException when CustomKeyStoreId is not a string', async () => {
    expect((await refusal('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 7 })).type).toBe(
      'SerializationException',
    );
  });
});

describe('DescribeKey', () => {
  it('should send the key id to kms.v1.keys.describe and answer KeyMetadata when the key exists', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.describe, { key: metadata({ keyState: 'Disabled' }) });
    const r = await run(
      'DescribeKey',
      { KeyId: ARN, GrantTokens: [`sgt1.${'a'.repeat(64)}.${'n'.repeat(32)}`] },
      rpc,
    );
    expect(rpc.calls).toEqual([{ subject: Subjects.keys.describe, payload: { ...SCOPE, keyId: ARN } }]);
    expect(r.output['KeyMetadata']).toMatchObject({ KeyId: KEY_ID, Enabled: false, KeyState: 'Disabled' });
    expect(r.keyArn).toBe(ARN);
  });

  it('should answer ValidationException without calling the coordinator when KeyId is missing', async () => {
    const rpc = new RecordingRpc();
    expect((await refusal('DescribeKey', {}, rpc)).message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
    expect(rpc.calls).toEqual([]);
  });
});

describe('ListKeys', () => {
  it('should ask for 100 keys without a marker when no Limit or Marker is given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.list, { keys: [{ keyId: KEY_ID, arn: ARN }] });
    const r = await run('ListKeys', {}, rpc);
    expect(rpc.calls).toEqual([{ subject: Subjects.keys.list, payload: { ...SCOPE, limit: 100 } }]);
    expect(r.output).toEqual({ Keys: [{ KeyId: KEY_ID, KeyArn: ARN }], Truncated: false });
  });

  it('should pass Limit and Marker and answer Truncated with NextMarker when the coordinator has more', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.list, {
      keys: [{ keyId: KEY_ID, arn: ARN }],
      nextMarker: 'next-page',
    });
    const r = await run('ListKeys', { Limit: 1, Marker: 'this-page' }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({ ...SCOPE, limit: 1, marker: 'this-page' });
    expect(r.output).toEqual({
      Keys: [{ KeyId: KEY_ID, KeyArn: ARN }],
      Truncated: true,
      NextMarker: 'next-page',
    });
  });

  it.each([[0], [1001]])('should answer ValidationException when Limit is %i', async (limit) => {
    const rpc = new RecordingRpc();
    expect((await refusal('ListKeys', { Limit: limit }, rpc)).type).toBe('ValidationException');
    expect(rpc.calls).toEqual([]);
  });

  it('should answer ValidationException when Marker is empty', async () => {
    expect((await refusal('ListKeys', { Marker: '' })).type).toBe('ValidationException');
  });
});

describe('Encrypt', () => {
  const body = { KeyId: KEY_ID, Plaintext: 'aGVsbG8=', EncryptionContext: { purpose: 'test' } };
  const reply = { keyArn: ARN, keyVersion: 1, ciphertextBlob: 'AQID', decision: ALLOW };

  it('should send key, plaintext and context to kms.v1.keys.encrypt and answer the AWS shape when valid', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.encrypt, reply);
    const c = call(body, rpc);
    const r = await Operations['Encrypt']!(c);
    expect(rpc.calls).toEqual([
      {
        subject: Subjects.keys.encrypt,
        payload: { ...SCOPE, keyId: KEY_ID, plaintext: 'aGVsbG8=', encryptionContext: { purpose: 'test' } },
      },
    ]);
    expect(r).toEqual({
      output: { CiphertextBlob: 'AQID', KeyId: ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      keyArn: ARN,
      keyVersion: 1,
      encryptionContext: { purpose: 'test' },
      decision: ALLOW,
    });
    expect(c.audit.encryptionContext).toEqual({ purpose: 'test' });
  });

  it('should send an empty context when none is given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.encrypt, reply);
    await run(
      'Encrypt',
      { KeyId: KEY_ID, Plaintext: 'aGVsbG8=', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      rpc,
    );
    expect(rpc.calls[0]?.payload['encryptionContext']).toEqual({});
  });

  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'])(
    'should answer InvalidKeyUsageException when EncryptionAlgorithm is %s',
    async (alg) => {
      const rpc = new RecordingRpc();
      expect(await refusal('Encrypt', { ...body, EncryptionAlgorithm: alg }, rpc)).toMatchObject({
        type: 'InvalidKeyUsageException',
        message: `${alg} is not supported for symmetric keys.`,
      });
      expect(rpc.calls).toEqual([]);
    },
  );

  it('should refuse DryRun with UnsupportedOperationException and still record the context when DryRun is true', async () => {
    const rpc = new RecordingRpc();
    const c = call({ ...body, DryRun: true }, rpc);
    await expect(Operations['Encrypt']!(c)).rejects.toMatchObject({
      type: 'UnsupportedOperationException',
      message: 'DryRun is not supported by this endpoint.',
    });
    expect(c.audit.encryptionContext).toEqual({ purpose: 'test' });
    expect(rpc.calls).toEqual([]);
  });

  it('should encrypt when DryRun is false', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.encrypt, reply);
    await run('Encrypt', { ...body, DryRun: false }, rpc);
    expect(rpc.calls).toHaveLength(1);
  });

  it('should answer ValidationException when the plaintext decodes to more than 4096 bytes', async () => {
    const e = await refusal('Encrypt', { ...body, Plaintext: Buffer.alloc(4097).toString('base64') });
    expect(e.message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  });

  it('should send the plaintext when it decodes to exactly 4096 bytes', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.encrypt, reply);
    await run('Encrypt', { ...body, Plaintext: Buffer.alloc(4096).toString('base64') }, rpc);
    expect(rpc.calls).toHaveLength(1);
  });

  it('should count both missing members when KeyId and Plaintext are missing', async () => {
    expect((await refusal('Encrypt', {})).message).toMatch(/^2 validation errors detected: /);
  });

  it('should answer SerializationException when a context value is not a string', async () => {
    expect((await refusal('Encrypt', { ...body, EncryptionContext: { n: 1 } })).type).toBe(
      'SerializationException',
    );
  });
});

describe('Decrypt', () => {
  const reply = { keyArn: ARN, keyVersion: 2, plaintext: 'aGVsbG8=', decision: ALLOW };

  it('should send the blob without a keyId when KeyId is not given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.decrypt, reply);
    const r = await run('Decrypt', { CiphertextBlob: 'AQID' }, rpc);
    expect(rpc.calls).toEqual([
      {
        subject: Subjects.keys.decrypt,
        payload: { ...SCOPE, ciphertextBlob: 'AQID', encryptionContext: {} },
      },
    ]);
    expect(r).toEqual({
      output: { KeyId: ARN, Plaintext: 'aGVsbG8=', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      keyArn: ARN,
      keyVersion: 2,
      encryptionContext: {},
      decision: ALLOW,
    });
  });

  it('should send the keyId and context when they are given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.decrypt, reply);
    await run('Decrypt', { CiphertextBlob: 'AQID', KeyId: ARN, EncryptionContext: { a: 'b' } }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({
      ...SCOPE,
      keyId: ARN,
      ciphertextBlob: 'AQID',
      encryptionContext: { a: 'b' },
    });
  });

  it('should answer InvalidKeyUsageException when EncryptionAlgorithm is RSAES_OAEP_SHA_256', async () => {
    expect(
      (await refusal('Decrypt', { CiphertextBlob: 'AQID', EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).type,
    ).toBe('InvalidKeyUsageException');
  });

  it.each([
    [{ Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } }, 'Recipient'],
    [{ DryRun: true }, 'DryRun'],
  ])('should answer UnsupportedOperationException when given %j', async (extra, what) => {
    expect(await refusal('Decrypt', { CiphertextBlob: 'AQID', ...extra })).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${what} is not supported by this endpoint.`,
    });
  });

  it('should answer ValidationException when the blob is missing', async () => {
    expect((await refusal('Decrypt', {})).message).toBe(
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
    );
  });

  it('should answer ValidationException when the blob decodes to more than 6144 bytes', async () => {
    expect((await refusal('Decrypt', { CiphertextBlob: Buffer.alloc(6145).toString('base64') })).type).toBe(
      'ValidationException',
    );
  });

  it('should answer SerializationException when the blob is not base64', async () => {
    expect((await refusal('Decrypt', { CiphertextBlob: 'not base64!' })).type).toBe('SerializationException');
  });
});

describe('EncryptionAlgorithm', () => {
  const bodies: [string, Record<string, unknown>][] = [
    ['Encrypt', { KeyId: KEY_ID, Plaintext: 'aGVsbG8=' }],
    ['Decrypt', { CiphertextBlob: 'AQID' }],
  ];

  it.each(bodies)(
    'should answer ValidationException naming the enum without calling the coordinator when %s is given AES_GCM',
    async (name, body) => {
      const rpc = new RecordingRpc();
      expect(await refusal(name, { ...body, EncryptionAlgorithm: 'AES_GCM' }, rpc)).toMatchObject({
        type: 'ValidationException',
        message:
          "1 validation error detected: Value 'AES_GCM' at 'encryptionAlgorithm' failed to satisfy constraint: " +
          'Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]',
      });
      expect(rpc.calls).toEqual([]);
    },
  );

  it.each(bodies)(
    'should answer InvalidKeyUsageException without calling the coordinator when %s is given RSAES_OAEP_SHA_256',
    async (name, body) => {
      const rpc = new RecordingRpc();
      expect(await refusal(name, { ...body, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, rpc)).toMatchObject({
        type: 'InvalidKeyUsageException',
        message: 'RSAES_OAEP_SHA_256 is not supported for symmetric keys.',
      });
      expect(rpc.calls).toEqual([]);
    },
  );
});

describe('GenerateDataKey', () => {
  const reply = { keyArn: ARN, keyVersion: 1, ciphertextBlob: 'AQID', plaintext: 'AAAA', decision: ALLOW };

  it.each([
    [{ NumberOfBytes: 64 }, 64],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 1024 }, 1024],
    [{ KeySpec: 'AES_256' }, 32],
    [{ KeySpec: 'AES_128' }, 16],
  ])('should ask for the right number of bytes when given %j', async (extra, bytes) => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateDataKey, reply);
    await run('GenerateDataKey', { KeyId: KEY_ID, ...extra }, rpc);
    expect(rpc.calls).toEqual([
      {
        subject: Subjects.keys.generateDataKey,
        payload: {
          ...SCOPE,
          keyId: KEY_ID,
          numberOfBytes: bytes,
          encryptionContext: {},
          returnPlaintext: true,
        },
      },
    ]);
  });

  it('should answer the plaintext, blob and key ARN when the data key is made', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateDataKey, reply);
    const r = await run(
      'GenerateDataKey',
      { KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } },
      rpc,
    );
    expect(r).toEqual({
      output: { CiphertextBlob: 'AQID', Plaintext: 'AAAA', KeyId: ARN },
      keyArn: ARN,
      keyVersion: 1,
      encryptionContext: { a: 'b' },
      decision: ALLOW,
    });
  });

  it('should ask for no plaintext and answer none when the operation is GenerateDataKeyWithoutPlaintext', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateDataKey, { ...reply, plaintext: undefined });
    const r = await run('GenerateDataKeyWithoutPlaintext', { KeyId: KEY_ID, KeySpec: 'AES_256' }, rpc);
    expect(rpc.calls[0]?.payload['returnPlaintext']).toBe(false);
    expect(r.output).toEqual({ CiphertextBlob: 'AQID', KeyId: ARN });
    expect(r.output).not.toHaveProperty('Plaintext');
  });

  it.each([
    ['both', { NumberOfBytes: 32, KeySpec: 'AES_256' }],
    ['neither', {}],
  ])('should answer ValidationException when %s of NumberOfBytes and KeySpec are given', async (_, extra) => {
    for (const op of ['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext']) {
      const rpc = new RecordingRpc();
      expect(await refusal(op, { KeyId: KEY_ID, ...extra }, rpc)).toMatchObject({
        type: 'ValidationException',
        message: 'Please specify either number of bytes or key spec.',
      });
      expect(rpc.calls).toEqual([]);
    }
  });

  it.each([[{ NumberOfBytes: 0 }], [{ NumberOfBytes: 1025 }], [{ KeySpec: 'AES_512' }]])(
    'should answer a constraint ValidationException when given %j',
    async (extra) => {
      expect((await refusal('GenerateDataKey', { KeyId: KEY_ID, ...extra })).message).toMatch(
        /^1 validation error detected: /,
      );
    },
  );

  it.each([
    [{ Recipient: { AttestationDocument: 'AA==' } }, 'Recipient'],
    [{ DryRun: true }, 'DryRun'],
  ])('should answer UnsupportedOperationException when given %j', async (extra, what) => {
    expect(await refusal('GenerateDataKey', { KeyId: KEY_ID, KeySpec: 'AES_256', ...extra })).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${what} is not supported by this endpoint.`,
    });
  });

  it('should answer ValidationException when KeyId is missing', async () => {
    expect((await refusal('GenerateDataKey', { KeySpec: 'AES_256' })).message).toContain(
      "Value null at 'keyId'",
    );
  });
});

describe('GenerateRandom', () => {
  it('should send numberOfBytes to kms.v1.keys.generate-random and answer Plaintext when given NumberOfBytes', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: 'AAECAw==' });
    const r = await run('GenerateRandom', { NumberOfBytes: 4 }, rpc);
    expect(rpc.calls).toEqual([
      { subject: Subjects.keys.generateRandom, payload: { ...SCOPE, numberOfBytes: 4 } },
    ]);
    expect(r).toEqual({ output: { Plaintext: 'AAECAw==' } });
  });

  it('should answer ValidationException naming numberOfBytes when NumberOfBytes is missing', async () => {
    const rpc = new RecordingRpc();
    expect(await refusal('GenerateRandom', {}, rpc)).toMatchObject({
      type: 'ValidationException',
      message: "Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null",
    });
    expect(rpc.calls).toEqual([]);
  });

  it.each([[0], [1025]])('should answer ValidationException when NumberOfBytes is %i', async (n) => {
    expect((await refusal('GenerateRandom', { NumberOfBytes: n })).type).toBe('ValidationException');
  });

  it.each([[{ Recipient: { AttestationDocument: 'AA==' } }, 'Recipient']])(
    'should answer UnsupportedOperationException when given %j',
    async (extra, what) => {
      expect(await refusal('GenerateRandom', { NumberOfBytes: 8, ...extra })).toMatchObject({
        type: 'UnsupportedOperationException',
        message: `${what} is not supported by this endpoint.`,
      });
    },
  );

  it('should send customKeyStoreId when CustomKeyStoreId is given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: 'AAECAw==' });
    const r = await run('GenerateRandom', { NumberOfBytes: 4, CustomKeyStoreId: CKS }, rpc);
    expect(rpc.calls).toEqual([
      {
        subject: Subjects.keys.generateRandom,
        payload: { ...SCOPE, numberOfBytes: 4, customKeyStoreId: CKS },
      },
    ]);
    expect(r).toEqual({ output: { Plaintext: 'AAECAw==' } });
  });

  it('should send no customKeyStoreId when CustomKeyStoreId is not given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.generateRandom, { plaintext: 'AAECAw==' });
    await run('GenerateRandom', { NumberOfBytes: 4 }, rpc);
    expect(rpc.calls[0]?.payload).not.toHaveProperty('customKeyStoreId');
  });

  it.each([[''], ['c'.repeat(65)]])(
    'should answer ValidationException without calling the coordinator when CustomKeyStoreId is %j',
    async (id) => {
      const rpc = new RecordingRpc();
      const e = await refusal('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id }, rpc);
      expect(e.type).toBe('ValidationException');
      expect(e.message).toContain("at 'customKeyStoreId'");
      expect(rpc.calls).toEqual([]);
    },
  );

  it('should answer CustomKeyStoreInvalidStateException when no token of the custom key store is up', async () => {
    const rpc = new RecordingRpc().on(Subjects.keys.generateRandom, () => {
      throw new KmsError(
        ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE,
        `custom key store ${CKS} is not connected`,
      );
    });
    const e = await run('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: CKS }, rpc).catch(
      (err: unknown) => err,
    );
    expect(toAwsError(e)).toMatchObject({
      type: 'CustomKeyStoreInvalidStateException',
      status: 400,
      message: `custom key store ${CKS} is not connected`,
    });
  });
});

describe('DescribeCustomKeyStores', () => {
  const store = {
    customKeyStoreId: CKS,
    customKeyStoreName: 'eu-frankfurt',
    connectionState: 'CONNECTED',
    creationDate: '2026-01-02T03:04:05.500Z',
    labels: { region: 'eu-central', jurisdiction: 'DE' },
    members: 3,
    default: false,
  };

  it('should ask for 100 stores and answer none truncated when no member is given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.describeCustomKeyStores, { keyStores: [] });
    const r = await run('DescribeCustomKeyStores', {}, rpc);
    expect(rpc.calls).toEqual([
      { subject: Subjects.keys.describeCustomKeyStores, payload: { ...SCOPE, limit: 100 } },
    ]);
    expect(r).toEqual({ output: { CustomKeyStores: [], Truncated: false } });
  });

  it('should send the id when CustomKeyStoreId is given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.describeCustomKeyStores, { keyStores: [store] });
    await run('DescribeCustomKeyStores', { CustomKeyStoreId: CKS }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({ ...SCOPE, limit: 100, customKeyStoreId: CKS });
  });

  it('should send the name, limit and marker when CustomKeyStoreName, Limit and Marker are given', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.describeCustomKeyStores, { keyStores: [store] });
    await run(
      'DescribeCustomKeyStores',
      { CustomKeyStoreName: 'eu-frankfurt', Limit: 1000, Marker: 'this-page' },
      rpc,
    );
    expect(rpc.calls[0]?.payload).toEqual({
      ...SCOPE,
      limit: 1000,
      customKeyStoreName: 'eu-frankfurt',
      marker: 'this-page',
    });
  });

  it('should answer the AWS shape of each store with Truncated and NextMarker when the coordinator has more', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.describeCustomKeyStores, {
      keyStores: [
        store,
        {
          ...store,
          customKeyStoreId: 'cks-00000000000000001',
          customKeyStoreName: 'default',
          connectionState: 'DISCONNECTED',
          creationDate: '2026-01-01T00:00:00.000Z',
          labels: {},
          members: 1,
          default: true,
        },
      ],
      nextMarker: 'next-page',
    });
    const r = await run('DescribeCustomKeyStores', { Limit: 2 }, rpc);
    expect(r).toEqual({
      output: {
        CustomKeyStores: [
          {
            CustomKeyStoreId: CKS,
            CustomKeyStoreName: 'eu-frankfurt',
            CustomKeyStoreType: 'AWS_CLOUDHSM',
            ConnectionState: 'CONNECTED',
            CreationDate: 1767323045.5,
            Labels: { region: 'eu-central', jurisdiction: 'DE' },
            Members: 3,
            Default: false,
          },
          {
            CustomKeyStoreId: 'cks-00000000000000001',
            CustomKeyStoreName: 'default',
            CustomKeyStoreType: 'AWS_CLOUDHSM',
            ConnectionState: 'DISCONNECTED',
            CreationDate: 1767225600,
            Labels: {},
            Members: 1,
            Default: true,
          },
        ],
        Truncated: true,
        NextMarker: 'next-page',
      },
    });
  });

  it('should answer ValidationException without calling the coordinator when both CustomKeyStoreId and CustomKeyStoreName are given', async () => {
    const rpc = new RecordingRpc();
    expect(
      await refusal(
        'DescribeCustomKeyStores',
        { CustomKeyStoreId: CKS, CustomKeyStoreName: 'eu-frankfurt' },
        rpc,
      ),
    ).toMatchObject({
      type: 'ValidationException',
      message: 'Specify either CustomKeyStoreId or CustomKeyStoreName, not both.',
    });
    expect(rpc.calls).toEqual([]);
  });

  it.each([
    ['Limit is 0', { Limit: 0 }, "Value '0' at 'limit'"],
    ['Limit is 1001', { Limit: 1001 }, "Value '1001' at 'limit'"],
    ['CustomKeyStoreId is empty', { CustomKeyStoreId: '' }, "at 'customKeyStoreId'"],
    ['CustomKeyStoreId is 65 characters long', { CustomKeyStoreId: 'c'.repeat(65) }, "at 'customKeyStoreId'"],
    ['CustomKeyStoreName is empty', { CustomKeyStoreName: '' }, "at 'customKeyStoreName'"],
    [
      'CustomKeyStoreName is 257 characters long',
      { CustomKeyStoreName: 'n'.repeat(257) },
      "at 'customKeyStoreName'",
    ],
    ['Marker is empty', { Marker: '' }, "at 'marker'"],
  ])('should answer ValidationException without calling the coordinator when %s', async (_, body, where) => {
    const rpc = new RecordingRpc();
    const e = await refusal('DescribeCustomKeyStores', body, rpc);
    expect(e.type).toBe('ValidationException');
    expect(e.message).toMatch(/^1 validation error detected: /);
    expect(e.message).toContain(where);
    expect(rpc.calls).toEqual([]);
  });

  it('should answer SerializationException when Limit is not an integer', async () => {
    expect((await refusal('DescribeCustomKeyStores', { Limit: '10' })).type).toBe('SerializationException');
  });

  it('should treat an unknown member as ListKeys does (ignored, not forwarded) when one is given', async () => {
    const rpc = new RecordingRpc()
      .reply(Subjects.keys.describeCustomKeyStores, { keyStores: [] })
      .reply(Subjects.keys.list, { keys: [] });
    await expect(run('ListKeys', { NoSuchMember: 'x' }, rpc)).resolves.toBeDefined();
    await expect(run('DescribeCustomKeyStores', { NoSuchMember: 'x' }, rpc)).resolves.toEqual({
      output: { CustomKeyStores: [], Truncated: false },
    });
    expect(rpc.calls.map((c) => c.payload)).toEqual([
      { ...SCOPE, limit: 100 },
      { ...SCOPE, limit: 100 },
    ]);
  });

  it.each([
    [ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND, 'CustomKeyStoreNotFoundException'],
    [ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE, 'CustomKeyStoreInvalidStateException'],
  ])('should reach the client as the AWS exception when the coordinator answers %s', async (code, type) => {
    const rpc = new RecordingRpc().on(Subjects.keys.describeCustomKeyStores, () => {
      throw new KmsError(code, `custom key store ${CKS} refused`);
    });
    const e = await run('DescribeCustomKeyStores', { CustomKeyStoreId: CKS }, rpc).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(KmsError);
    expect(toAwsError(e)).toMatchObject({ type, status: 400, message: `custom key store ${CKS} refused` });
  });
});

describe('CreateKey custom key store errors', () => {
  it.each([
    [ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND, 'CustomKeyStoreNotFoundException'],
    [ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE, 'CustomKeyStoreInvalidStateException'],
  ])(
    'should reach the client as the AWS exception when the coordinator refuses the placement with %s',
    async (code, type) => {
      const rpc = new RecordingRpc().on(Subjects.keys.create, () => {
        throw new KmsError(code, 'placement refused');
      });
      const e = await run('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: CKS }, rpc).catch(
        (err: unknown) => err,
      );
      expect(toAwsError(e)).toMatchObject({ type, status: 400, message: 'placement refused' });
      expect(rpc.calls).toHaveLength(1);
    },
  );
});
