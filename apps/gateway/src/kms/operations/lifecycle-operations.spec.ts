import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { ARN, KEY_ID, SCOPE, refusal, run } from './operation.test-helper.js';
import { keyMetadata } from './operation.js';

const DEST = `arn:aws:kms:us-east-1:111122223333:key/7d9e2a3c-1111-4222-8333-944455556666`;
const BLOB = Buffer.from('a ciphertext blob').toString('base64');

describe('ScheduleKeyDeletion', () => {
  const reply = {
    keyArn: ARN,
    deletionDate: '2025-03-31T12:00:00.000Z',
    keyState: 'PendingDeletion',
    pendingWindowInDays: 30,
  };

  it('should default the window to 30 days and answer the AWS shape with the date in epoch seconds', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.scheduleDeletion, reply);
    const r = await run('ScheduleKeyDeletion', { KeyId: KEY_ID }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({ ...SCOPE, keyId: KEY_ID, pendingWindowInDays: 30 });
    expect(r).toEqual({
      output: { KeyId: ARN, DeletionDate: 1743422400, KeyState: 'PendingDeletion', PendingWindowInDays: 30 },
      keyArn: ARN,
    });
  });

  it.each([7, 30])('should pass PendingWindowInDays %i when it is at a bound', async (days) => {
    const rpc = new RecordingRpc().reply(Subjects.keys.scheduleDeletion, reply);
    await run('ScheduleKeyDeletion', { KeyId: KEY_ID, PendingWindowInDays: days }, rpc);
    expect(rpc.calls[0]?.payload['pendingWindowInDays']).toBe(days);
  });

  it.each([
    [6, 'greater than or equal to 7'],
    [31, 'less than or equal to 30'],
  ])('should answer ValidationException when PendingWindowInDays is %i', async (days, text) => {
    const e = await refusal('ScheduleKeyDeletion', { KeyId: KEY_ID, PendingWindowInDays: days });
    expect(e.type).toBe('ValidationException');
    expect(e.message).toContain(text);
  });

  it.each([
    ['a string', { KeyId: KEY_ID, PendingWindowInDays: '7' }, 'SerializationException'],
    ['a fraction', { KeyId: KEY_ID, PendingWindowInDays: 7.5 }, 'SerializationException'],
    ['no KeyId', {}, 'ValidationException'],
    ['an empty KeyId', { KeyId: '' }, 'ValidationException'],
    ['a KeyId of 2049 characters', { KeyId: 'k'.repeat(2049) }, 'ValidationException'],
  ])('should refuse the request when it has %s', async (_, body, type) => {
    expect((await refusal('ScheduleKeyDeletion', body)).type).toBe(type);
  });
});

describe('CancelKeyDeletion', () => {
  it('should answer the key ARN', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.cancelDeletion, { keyArn: ARN });
    expect((await run('CancelKeyDeletion', { KeyId: ARN }, rpc)).output).toEqual({ KeyId: ARN });
    expect(rpc.calls[0]?.payload).toEqual({ ...SCOPE, keyId: ARN });
  });
});

describe('EnableKeyRotation', () => {
  it('should default the period to 365 days and answer an empty body', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.enableRotation, { keyArn: ARN });
    expect(await run('EnableKeyRotation', { KeyId: KEY_ID }, rpc)).toEqual({ output: {}, keyArn: ARN });
    expect(rpc.calls[0]?.payload).toEqual({ ...SCOPE, keyId: KEY_ID, rotationPeriodInDays: 365 });
  });

  it.each([90, 2560])('should pass RotationPeriodInDays %i when it is at a bound', async (days) => {
    const rpc = new RecordingRpc().reply(Subjects.keys.enableRotation, { keyArn: ARN });
    await run('EnableKeyRotation', { KeyId: KEY_ID, RotationPeriodInDays: days }, rpc);
    expect(rpc.calls[0]?.payload['rotationPeriodInDays']).toBe(days);
  });

  it.each([89, 2561, 0, -1])(
    'should answer ValidationException when RotationPeriodInDays is %i',
    async (days) => {
      expect((await refusal('EnableKeyRotation', { KeyId: KEY_ID, RotationPeriodInDays: days })).type).toBe(
        'ValidationException',
      );
    },
  );
});

describe('DisableKeyRotation', () => {
  it('should answer an empty body', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.disableRotation, { keyArn: ARN });
    expect(await run('DisableKeyRotation', { KeyId: KEY_ID }, rpc)).toEqual({ output: {}, keyArn: ARN });
  });
});

describe('GetKeyRotationStatus', () => {
  it('should answer period and next date in epoch seconds when rotation is on', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.getRotationStatus, {
      keyArn: ARN,
      keyRotationEnabled: true,
      rotationPeriodInDays: 90,
      nextRotationDate: '2025-05-30T12:00:00.000Z',
    });
    expect((await run('GetKeyRotationStatus', { KeyId: KEY_ID }, rpc)).output).toEqual({
      KeyRotationEnabled: true,
      KeyId: ARN,
      RotationPeriodInDays: 90,
      NextRotationDate: 1748606400,
    });
  });

  it('should answer only the flag and the key when rotation is off', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.getRotationStatus, {
      keyArn: ARN,
      keyRotationEnabled: false,
    });
    expect((await run('GetKeyRotationStatus', { KeyId: KEY_ID }, rpc)).output).toEqual({
      KeyRotationEnabled: false,
      KeyId: ARN,
    });
  });
});

describe('RotateKeyOnDemand', () => {
  it('should answer the key ARN and audit the new version', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.rotateOnDemand, { keyArn: ARN, keyVersion: 2 });
    expect(await run('RotateKeyOnDemand', { KeyId: KEY_ID }, rpc)).toEqual({
      output: { KeyId: ARN },
      keyArn: ARN,
      keyVersion: 2,
    });
  });
});

describe('ListKeyRotations', () => {
  const reply = {
    keyArn: ARN,
    rotations: [
      { keyId: KEY_ID, keyMaterialId: 'a'.repeat(64), keyMaterialState: 'NON_CURRENT' },
      {
        keyId: KEY_ID,
        keyMaterialId: 'b'.repeat(64),
        keyMaterialState: 'CURRENT',
        rotationDate: '2025-03-02T12:00:00.000Z',
        rotationType: 'ON_DEMAND',
      },
    ],
    nextMarker: 'next',
  };

  it('should default Limit 100 and ROTATIONS_ONLY and answer Rotations, Truncated and NextMarker', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.listRotations, reply);
    const r = await run('ListKeyRotations', { KeyId: KEY_ID }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({
      ...SCOPE,
      keyId: KEY_ID,
      limit: 100,
      includeKeyMaterial: 'ROTATIONS_ONLY',
    });
    expect(r.output).toEqual({
      Rotations: [
        { KeyId: KEY_ID, KeyMaterialId: 'a'.repeat(64), KeyMaterialState: 'NON_CURRENT' },
        {
          KeyId: KEY_ID,
          KeyMaterialId: 'b'.repeat(64),
          KeyMaterialState: 'CURRENT',
          RotationDate: 1740916800,
          RotationType: 'ON_DEMAND',
        },
      ],
      Truncated: true,
      NextMarker: 'next',
    });
  });

  it('should pass Limit at its bounds, the marker and ALL_KEY_MATERIAL', async () => {
    for (const limit of [1, 1000]) {
      const rpc = new RecordingRpc().reply(Subjects.keys.listRotations, { keyArn: ARN, rotations: [] });
      const r = await run(
        'ListKeyRotations',
        { KeyId: KEY_ID, Limit: limit, Marker: 'm', IncludeKeyMaterial: 'ALL_KEY_MATERIAL' },
        rpc,
      );
      expect(rpc.calls[0]?.payload).toMatchObject({
        limit,
        marker: 'm',
        includeKeyMaterial: 'ALL_KEY_MATERIAL',
      });
      expect(r.output).toEqual({ Rotations: [], Truncated: false });
    }
  });

  it.each([
    ['Limit 0', { Limit: 0 }],
    ['Limit 1001', { Limit: 1001 }],
    ['an empty Marker', { Marker: '' }],
    ['a Marker of 1025 characters', { Marker: 'm'.repeat(1025) }],
    ['an unknown IncludeKeyMaterial', { IncludeKeyMaterial: 'SOME' }],
  ])('should answer ValidationException when given %s', async (_, more) => {
    expect((await refusal('ListKeyRotations', { KeyId: KEY_ID, ...more })).type).toBe('ValidationException');
  });
});

describe('ReEncrypt', () => {
  const reply = {
    ciphertextBlob: BLOB,
    sourceKeyArn: ARN,
    sourceKeyVersion: 1,
    sourceKeyMaterialId: 'a'.repeat(64),
    keyArn: DEST,
    keyVersion: 3,
    keyMaterialId: 'c'.repeat(64),
    decision: { effect: 'ALLOW', reason: 'key policy' },
  };

  it('should send both contexts and keys and answer the AWS shape, auditing the destination', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.reEncrypt, reply);
    const r = await run(
      'ReEncrypt',
      {
        CiphertextBlob: BLOB,
        SourceKeyId: KEY_ID,
        SourceEncryptionContext: { a: '1' },
        DestinationKeyId: DEST,
        DestinationEncryptionContext: { b: '2' },
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      },
      rpc,
    );
    expect(rpc.calls[0]?.payload).toEqual({
      ...SCOPE,
      ciphertextBlob: BLOB,
      sourceKeyId: KEY_ID,
      sourceEncryptionContext: { a: '1' },
      destinationKeyId: DEST,
      destinationEncryptionContext: { b: '2' },
    });
    expect(r).toEqual({
      output: {
        CiphertextBlob: BLOB,
        SourceKeyId: ARN,
        KeyId: DEST,
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        SourceKeyMaterialId: 'a'.repeat(64),
        DestinationKeyMaterialId: 'c'.repeat(64),
      },
      keyArn: DEST,
      keyVersion: 3,
      encryptionContext: { b: '2' },
      decision: { effect: 'ALLOW', reason: 'key policy' },
    });
  });

  it('should send empty contexts and no SourceKeyId when they are left out', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.reEncrypt, reply);
    await run('ReEncrypt', { CiphertextBlob: BLOB, DestinationKeyId: DEST }, rpc);
    expect(rpc.calls[0]?.payload).toEqual({
      ...SCOPE,
      ciphertextBlob: BLOB,
      sourceEncryptionContext: {},
      destinationKeyId: DEST,
      destinationEncryptionContext: {},
    });
  });

  it.each([
    ['no DestinationKeyId', { CiphertextBlob: BLOB }, 'ValidationException'],
    ['no CiphertextBlob', { DestinationKeyId: DEST }, 'ValidationException'],
    [
      'a blob of 6145 bytes',
      { CiphertextBlob: Buffer.alloc(6145).toString('base64'), DestinationKeyId: DEST },
      'ValidationException',
    ],
    [
      'a blob that is not base64',
      { CiphertextBlob: 'not base64!', DestinationKeyId: DEST },
      'SerializationException',
    ],
    [
      'a SourceKeyId of 2049 characters',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, SourceKeyId: 'k'.repeat(2049) },
      'ValidationException',
    ],
    [
      'an unknown algorithm',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, DestinationEncryptionAlgorithm: 'AES' },
      'ValidationException',
    ],
    [
      'an asymmetric source algorithm',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
      'InvalidKeyUsageException',
    ],
    [
      'an asymmetric destination algorithm',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' },
      'InvalidKeyUsageException',
    ],
    [
      'a context value that is not a string',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, DestinationEncryptionContext: { a: 1 } },
      'SerializationException',
    ],
    [
      '11 grant tokens',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, GrantTokens: Array(11).fill('t') },
      'ValidationException',
    ],
    [
      'DryRun',
      { CiphertextBlob: BLOB, DestinationKeyId: DEST, DryRun: true },
      'UnsupportedOperationException',
    ],
  ])('should refuse the request without calling the coordinator when it has %s', async (_, body, type) => {
    const rpc = new RecordingRpc();
    expect((await refusal('ReEncrypt', body, rpc)).type).toBe(type);
    expect(rpc.calls).toEqual([]);
  });
});

describe('keyMetadata', () => {
  it('should show DeletionDate in epoch seconds and PendingDeletionWindowInDays when the key is pending deletion', () => {
    const m = keyMetadata({
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      description: '',
      keyState: 'PendingDeletion',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      creationDate: '2024-01-02T03:04:05.000Z',
      currentVersion: 1,
      deletionDate: '2025-03-08T12:00:00.000Z',
      pendingDeletionWindowInDays: 7,
    });
    expect(m).toMatchObject({
      Enabled: false,
      KeyState: 'PendingDeletion',
      DeletionDate: 1741435200,
      PendingDeletionWindowInDays: 7,
    });
  });
});
