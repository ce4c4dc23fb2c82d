import {
  type CreateKeyReply,
  type DecryptReply,
  type DescribeCustomKeyStoresReply,
  type DescribeKeyReply,
  type EncryptReply,
  type GenerateDataKeyReply,
  type GenerateRandomReply,
  type ListKeysReply,
  Subjects,
} from '@symbolon/contracts';

import { AwsError } from '../aws-error.js';
import { type Input } from './input.js';
import {
  type Operation,
  type OperationCall,
  type OperationResult,
  SYMMETRIC,
  encryptionAlgorithm,
  grantTokens,
  keyMetadata,
  noDryRun,
  requiredKeyId,
  unsupported,
} from './operation.js';

/** NumberOfBytes or KeySpec (exactly one), as GenerateDataKey* take them. */
function dataKeyLength(input: Input): number {
  const bytes = input.integer('NumberOfBytes', { min: 1, max: 1024 });
  const spec = input.oneOf('KeySpec', ['AES_256', 'AES_128']);
  input.done();
  if ((bytes === undefined) === (spec === undefined)) {
    throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  return bytes ?? (spec === 'AES_128' ? 16 : 32);
}

async function generateDataKey(call: OperationCall, returnPlaintext: boolean): Promise<OperationResult> {
  const { input } = call;
  const keyId = requiredKeyId(input);
  const encryptionContext = input.stringMap('EncryptionContext');
  call.audit.encryptionContext = encryptionContext;
  grantTokens(input);
  if (input.has('Recipient')) throw unsupported('Recipient');
  noDryRun(input);
  const numberOfBytes = dataKeyLength(input);
  const r = await call.rpc.send<GenerateDataKeyReply>(Subjects.keys.generateDataKey, {
    ...call.scope,
    keyId,
    numberOfBytes,
    encryptionContext,
    returnPlaintext,
  });
  return {
    output: {
      CiphertextBlob: r.ciphertextBlob,
      ...(returnPlaintext ? { Plaintext: r.plaintext } : {}),
      KeyId: r.keyArn,
    },
    keyArn: r.keyArn,
    keyVersion: r.keyVersion,
    encryptionContext,
    decision: r.decision,
  };
}

/** CustomKeyStoreId as CreateKey, GenerateRandom and DescribeCustomKeyStores take it: 1 to 64 characters. */
function customKeyStore(input: Input): string | undefined {
  return input.string('CustomKeyStoreId', { min: 1, max: 64 });
}

/**
 * A key is placed in a domain (a custom key store) as AWS places one in a CloudHSM key store: CustomKeyStoreId with
 * Origin AWS_CLOUDHSM; without them, the default domain with Origin AWS_KMS (ADR 0014).
 */
function placement(origin: string | undefined, customKeyStoreId: string | undefined): void {
  if (origin === 'EXTERNAL' || origin === 'EXTERNAL_KEY_STORE') throw unsupported(`Origin ${origin}`);
  if (customKeyStoreId !== undefined && origin !== 'AWS_CLOUDHSM') {
    throw new AwsError(
      'ValidationException',
      'To create a key in a custom key store, set Origin to AWS_CLOUDHSM with the CustomKeyStoreId.',
    );
  }
  if (customKeyStoreId === undefined && origin === 'AWS_CLOUDHSM') {
    throw new AwsError('ValidationException', 'Origin AWS_CLOUDHSM requires a CustomKeyStoreId.');
  }
}

/** Key creation, listing and the cryptographic operations. */
export const keyOperations: Record<string, Operation> = {
  async CreateKey({ input, scope, rpc }) {
    const description = input.string('Description', { min: 0, max: 8192 });
    const usage = input.oneOf('KeyUsage', [
      'ENCRYPT_DECRYPT',
      'SIGN_VERIFY',
      'GENERATE_VERIFY_MAC',
      'KEY_AGREEMENT',
    ]);
    const specs = {
      KeySpec: input.string('KeySpec', { max: 64 }),
      CustomerMasterKeySpec: input.string('CustomerMasterKeySpec', { max: 64 }),
    };
    const origin = input.oneOf('Origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']);
    const policy = input.string('Policy', { max: 131_072 });
    const bypass = input.boolean('BypassPolicyLockoutSafetyCheck');
    const customKeyStoreId = customKeyStore(input);
    input.done();
    if (usage !== undefined && usage !== 'ENCRYPT_DECRYPT') throw unsupported(`KeyUsage ${usage}`);
    for (const [f, spec] of Object.entries(specs)) {
      if (spec !== undefined && spec !== SYMMETRIC) throw unsupported(`${f} ${spec}`);
    }
    placement(origin, customKeyStoreId);
    for (const f of ['Tags', 'XksKeyId']) if (input.has(f)) throw unsupported(f);
    if (input.boolean('MultiRegion')) throw unsupported('MultiRegion');
    const r = await rpc.send<CreateKeyReply>(Subjects.keys.create, {
      ...scope,
      description,
      ...(customKeyStoreId !== undefined ? { customKeyStoreId } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(bypass !== undefined ? { bypassPolicyLockoutSafetyCheck: bypass } : {}),
    });
    return {
      output: { KeyMetadata: keyMetadata(r.key) },
      keyArn: r.key.arn,
      keyVersion: r.key.currentVersion,
    };
  },

  async DescribeKey({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    grantTokens(input);
    input.done();
    const r = await rpc.send<DescribeKeyReply>(Subjects.keys.describe, { ...scope, keyId });
    return { output: { KeyMetadata: keyMetadata(r.key) }, keyArn: r.key.arn };
  },

  async ListKeys({ input, scope, rpc }) {
    const limit = input.integer('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.string('Marker', { max: 1024 });
    input.done();
    const r = await rpc.send<ListKeysReply>(Subjects.keys.list, {
      ...scope,
      limit,
      ...(marker ? { marker } : {}),
    });
    return {
      output: {
        Keys: r.keys.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
    };
  },

  async Encrypt(call) {
    const { input } = call;
    const keyId = requiredKeyId(input);
    const plaintext = input.blob('Plaintext', { required: true, min: 1, max: 4096 })!;
    const encryptionContext = input.stringMap('EncryptionContext');
    call.audit.encryptionContext = encryptionContext;
    grantTokens(input);
    encryptionAlgorithm(input);
    noDryRun(input);
    input.done();
    const r = await call.rpc.send<EncryptReply>(Subjects.keys.encrypt, {
      ...call.scope,
      keyId,
      plaintext,
      encryptionContext,
    });
    return {
      output: { CiphertextBlob: r.ciphertextBlob, KeyId: r.keyArn, EncryptionAlgorithm: SYMMETRIC },
      keyArn: r.keyArn,
      keyVersion: r.keyVersion,
      encryptionContext,
      decision: r.decision,
    };
  },

  async Decrypt(call) {
    const { input } = call;
    const ciphertextBlob = input.blob('CiphertextBlob', { required: true, min: 1, max: 6144 })!;
    const keyId = input.string('KeyId', { max: 2048 });
    const encryptionContext = input.stringMap('EncryptionContext');
    call.audit.encryptionContext = encryptionContext;
    grantTokens(input);
    encryptionAlgorithm(input);
    if (input.has('Recipient')) throw unsupported('Recipient');
    noDryRun(input);
    input.done();
    const r = await call.rpc.send<DecryptReply>(Subjects.keys.decrypt, {
      ...call.scope,
      ...(keyId !== undefined ? { keyId } : {}),
      ciphertextBlob,
      encryptionContext,
    });
    return {
      output: { KeyId: r.keyArn, Plaintext: r.plaintext, EncryptionAlgorithm: SYMMETRIC },
      keyArn: r.keyArn,
      keyVersion: r.keyVersion,
      encryptionContext,
      decision: r.decision,
    };
  },

  GenerateDataKey: (call) => generateDataKey(call, true),
  GenerateDataKeyWithoutPlaintext: (call) => generateDataKey(call, false),

  async GenerateRandom({ input, scope, rpc }) {
    const numberOfBytes = input.integer('NumberOfBytes', { min: 1, max: 1024 });
    const customKeyStoreId = customKeyStore(input);
    if (input.has('Recipient')) throw unsupported('Recipient');
    input.done();
    if (numberOfBytes === undefined) {
      throw new AwsError(
        'ValidationException',
        "Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null",
      );
    }
    const r = await rpc.send<GenerateRandomReply>(Subjects.keys.generateRandom, {
      ...scope,
      numberOfBytes,
      ...(customKeyStoreId !== undefined ? { customKeyStoreId } : {}),
    });
    return { output: { Plaintext: r.plaintext } };
  },

  async DescribeCustomKeyStores({ input, scope, rpc }) {
    const customKeyStoreId = customKeyStore(input);
    const customKeyStoreName = input.string('CustomKeyStoreName', { min: 1, max: 256 });
    const limit = input.integer('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.string('Marker', { min: 1, max: 1024 });
    input.done();
    if (customKeyStoreId !== undefined && customKeyStoreName !== undefined) {
      throw new AwsError(
        'ValidationException',
        'Specify either CustomKeyStoreId or CustomKeyStoreName, not both.',
      );
    }
    const r = await rpc.send<DescribeCustomKeyStoresReply>(Subjects.keys.describeCustomKeyStores, {
      ...scope,
      limit,
      ...(customKeyStoreId !== undefined ? { customKeyStoreId } : {}),
      ...(customKeyStoreName !== undefined ? { customKeyStoreName } : {}),
      ...(marker !== undefined ? { marker } : {}),
    });
    return {
      output: {
        CustomKeyStores: r.keyStores.map((k) => ({
          CustomKeyStoreId: k.customKeyStoreId,
          CustomKeyStoreName: k.customKeyStoreName,
          CustomKeyStoreType: 'AWS_CLOUDHSM',
          ConnectionState: k.connectionState,
          CreationDate: Date.parse(k.creationDate) / 1000,
          // Symbolon's own: where the domain's tokens are, and whether new keys go there by default.
          Labels: k.labels,
          Members: k.members,
          Default: k.default,
        })),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
    };
  },
};
