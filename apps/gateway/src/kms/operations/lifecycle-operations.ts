import {
  type CancelKeyDeletionReply,
  type GetKeyRotationStatusReply,
  IncludeKeyMaterialValues,
  type KeyRotationChangeReply,
  type ListKeyRotationsReply,
  PENDING_WINDOW_DAYS,
  ROTATION_PERIOD_DAYS,
  type ReEncryptReply,
  type RotateKeyOnDemandReply,
  type ScheduleKeyDeletionReply,
  Subjects,
} from '@symbolon/contracts';

import { AwsError } from '../aws-error.js';
import type { Input } from './input.js';
import { type Operation, SYMMETRIC, grantTokens, noDryRun, unsupported } from './operation.js';

const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

function keyIdOf(input: Input, name = 'KeyId'): string {
  return input.string(name, { required: true, max: 2048 })!;
}

/** An EncryptionAlgorithm-like field: only SYMMETRIC_DEFAULT works with symmetric keys. */
function symmetricOnly(input: Input, name: string): void {
  const alg = input.oneOf(name, [SYMMETRIC, 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE']);
  if (alg !== undefined && alg !== SYMMETRIC) {
    input.done();
    throw new AwsError('InvalidKeyUsageException', `${alg} is not supported for symmetric keys.`);
  }
}

/** Scheduled deletion, rotation and ReEncrypt. */
export const lifecycleOperations: Record<string, Operation> = {
  async ScheduleKeyDeletion({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    const pendingWindowInDays =
      input.integer('PendingWindowInDays', { min: PENDING_WINDOW_DAYS.min, max: PENDING_WINDOW_DAYS.max }) ??
      PENDING_WINDOW_DAYS.default;
    input.done();
    const r = await rpc.send<ScheduleKeyDeletionReply>(Subjects.keys.scheduleDeletion, {
      ...scope,
      keyId,
      pendingWindowInDays,
    });
    return {
      output: {
        KeyId: r.keyArn,
        DeletionDate: epochSeconds(r.deletionDate),
        KeyState: r.keyState,
        PendingWindowInDays: r.pendingWindowInDays,
      },
      keyArn: r.keyArn,
    };
  },

  async CancelKeyDeletion({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    input.done();
    const r = await rpc.send<CancelKeyDeletionReply>(Subjects.keys.cancelDeletion, { ...scope, keyId });
    return { output: { KeyId: r.keyArn }, keyArn: r.keyArn };
  },

  async EnableKeyRotation({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    const rotationPeriodInDays =
      input.integer('RotationPeriodInDays', {
        min: ROTATION_PERIOD_DAYS.min,
        max: ROTATION_PERIOD_DAYS.max,
      }) ?? ROTATION_PERIOD_DAYS.default;
    input.done();
    const r = await rpc.send<KeyRotationChangeReply>(Subjects.keys.enableRotation, {
      ...scope,
      keyId,
      rotationPeriodInDays,
    });
    return { output: {}, keyArn: r.keyArn };
  },

  async DisableKeyRotation({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    input.done();
    const r = await rpc.send<KeyRotationChangeReply>(Subjects.keys.disableRotation, { ...scope, keyId });
    return { output: {}, keyArn: r.keyArn };
  },

  async GetKeyRotationStatus({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    input.done();
    const r = await rpc.send<GetKeyRotationStatusReply>(Subjects.keys.getRotationStatus, { ...scope, keyId });
    return {
      output: {
        KeyRotationEnabled: r.keyRotationEnabled,
        KeyId: r.keyArn,
        ...(r.rotationPeriodInDays !== undefined ? { RotationPeriodInDays: r.rotationPeriodInDays } : {}),
        ...(r.nextRotationDate !== undefined ? { NextRotationDate: epochSeconds(r.nextRotationDate) } : {}),
        ...(r.onDemandRotationStartDate !== undefined
          ? { OnDemandRotationStartDate: epochSeconds(r.onDemandRotationStartDate) }
          : {}),
      },
      keyArn: r.keyArn,
    };
  },

  async RotateKeyOnDemand({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    input.done();
    const r = await rpc.send<RotateKeyOnDemandReply>(Subjects.keys.rotateOnDemand, { ...scope, keyId });
    return { output: { KeyId: r.keyArn }, keyArn: r.keyArn, keyVersion: r.keyVersion };
  },

  async ListKeyRotations({ input, scope, rpc }) {
    const keyId = keyIdOf(input);
    const limit = input.integer('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.string('Marker', { max: 1024 });
    const includeKeyMaterial =
      input.oneOf('IncludeKeyMaterial', IncludeKeyMaterialValues) ?? 'ROTATIONS_ONLY';
    input.done();
    const r = await rpc.send<ListKeyRotationsReply>(Subjects.keys.listRotations, {
      ...scope,
      keyId,
      limit,
      includeKeyMaterial,
      ...(marker !== undefined ? { marker } : {}),
    });
    return {
      output: {
        Rotations: r.rotations.map((e) => ({
          KeyId: e.keyId,
          KeyMaterialId: e.keyMaterialId,
          KeyMaterialState: e.keyMaterialState,
          ...(e.rotationDate !== undefined ? { RotationDate: epochSeconds(e.rotationDate) } : {}),
          ...(e.rotationType !== undefined ? { RotationType: e.rotationType } : {}),
        })),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
      keyArn: r.keyArn,
    };
  },

  async ReEncrypt(call) {
    const { input } = call;
    const ciphertextBlob = input.blob('CiphertextBlob', { required: true, min: 1, max: 6144 })!;
    const sourceEncryptionContext = input.stringMap('SourceEncryptionContext');
    const sourceKeyId = input.string('SourceKeyId', { max: 2048 });
    const destinationKeyId = keyIdOf(input, 'DestinationKeyId');
    const destinationEncryptionContext = input.stringMap('DestinationEncryptionContext');
    call.audit.encryptionContext = destinationEncryptionContext;
    grantTokens(input);
    symmetricOnly(input, 'SourceEncryptionAlgorithm');
    symmetricOnly(input, 'DestinationEncryptionAlgorithm');
    if (input.has('DryRunModifiers')) throw unsupported('DryRunModifiers');
    noDryRun(input);
    input.done();
    const r = await call.rpc.send<ReEncryptReply>(Subjects.keys.reEncrypt, {
      ...call.scope,
      ciphertextBlob,
      sourceEncryptionContext,
      ...(sourceKeyId !== undefined ? { sourceKeyId } : {}),
      destinationKeyId,
      destinationEncryptionContext,
    });
    return {
      output: {
        CiphertextBlob: r.ciphertextBlob,
        SourceKeyId: r.sourceKeyArn,
        KeyId: r.keyArn,
        SourceEncryptionAlgorithm: SYMMETRIC,
        DestinationEncryptionAlgorithm: SYMMETRIC,
        SourceKeyMaterialId: r.sourceKeyMaterialId,
        DestinationKeyMaterialId: r.keyMaterialId,
      },
      keyArn: r.keyArn,
      keyVersion: r.keyVersion,
      encryptionContext: destinationEncryptionContext,
      decision: r.decision,
    };
  },
};
