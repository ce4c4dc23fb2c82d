import {
  type AuditRecordDto,
  type ExportAuditChainReply,
  type GetKeyUsageReply,
  type GetParametersForReinstateReply,
  type GetSigningPublicKeyReply,
  type ListAuditEventsReply,
  type ReinstateKeyReply,
  type ShredKeyReply,
  SUSPEND_WRAPPING_ALGORITHM,
  Subjects,
  type SuspendKeyReply,
} from '@symbolon/contracts';

import { validationError } from '../aws-error.js';

import type { Input } from './input.js';
import { type Operation, requiredKeyId } from './operation.js';

/**
 * Symbolon's own operations for key owners, beyond the AWS API: `X-Amz-Target: Symbolon.<name>`, the same SigV4, JSON
 * 1.1 and error shape, decided by the same policies (actions `kms:<name>`).
 */
const seconds = (iso: string) => Date.parse(iso) / 1000;

function auditEvent(r: AuditRecordDto): Record<string, unknown> {
  return {
    EventId: r.requestId,
    EventTime: seconds(r.time),
    Operation: r.operation,
    Outcome: r.outcome,
    ...(r.tenantId !== null ? { AccountId: r.tenantId } : {}),
    ...(r.principal !== null ? { Principal: r.principal } : {}),
    SourceIp: r.sourceIp,
    ...(r.keyArn !== null ? { KeyId: r.keyArn } : {}),
    ...(r.keyVersion !== null ? { KeyVersion: r.keyVersion } : {}),
    ...(r.encryptionContext !== null ? { EncryptionContext: r.encryptionContext } : {}),
    ...(r.decision !== null ? { Decision: { Effect: r.decision.effect, Reason: r.decision.reason } } : {}),
    Sequence: r.sequence,
    Hash: r.hash,
  };
}

export const symbolonOperations: Record<string, Operation> = {
  /**
   * The caller's audit events, newest first: its own requests, or (KeyId) every event of one of its keys. Filters:
   * Operation, StartTime / EndTime (epoch seconds, inclusive); Limit 1..1000 (default 100), Marker.
   */
  async ListAuditEvents({ input, scope, rpc }) {
    const keyId = input.string('KeyId', { max: 2048 });
    const operation = input.string('Operation', { max: 64 });
    const start = input.timestamp('StartTime');
    const end = input.timestamp('EndTime');
    const limit = input.integer('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.string('Marker', { max: 1024 });
    input.done();
    if (start && end && start > end) throw validationError('StartTime must not be after EndTime.');
    const r = await rpc.send<ListAuditEventsReply>(Subjects.keys.listAuditEvents, {
      ...scope,
      limit,
      ...(keyId !== undefined ? { keyId } : {}),
      ...(operation !== undefined ? { operation } : {}),
      ...(start ? { startTime: start.toISOString() } : {}),
      ...(end ? { endTime: end.toISOString() } : {}),
      ...(marker !== undefined ? { marker } : {}),
    });
    return {
      output: {
        Events: r.events.map(auditEvent),
        Truncated: r.nextMarker !== undefined,
        ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
      },
      ...(r.keyArn !== undefined ? { keyArn: r.keyArn } : {}),
    };
  },

  /** How many encryptions each version of a key has done (Encrypt, GenerateDataKey*, ReEncrypt as destination). */
  async GetKeyUsage({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    input.done();
    const r = await rpc.send<GetKeyUsageReply>(Subjects.keys.getUsage, { ...scope, keyId });
    return {
      output: {
        KeyId: r.keyArn,
        KeyVersions: r.versions.map((v) => ({ KeyVersion: v.keyVersion, Encryptions: v.encryptions })),
      },
      keyArn: r.keyArn,
    };
  },

  /**
   * Makes the key unusable at once and destroys its material in every token and its EKTs; answers the receipt signed
   * in a token (libs/evidence ShredReceipt). Only a key policy statement that names kms:ShredKey allows it. Asked again
   * once the receipt's pending generations are destroyed, it also answers the token's signed Completion (final).
   */
  async ShredKey({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    input.done();
    const r = await rpc.send<ShredKeyReply>(Subjects.keys.shred, { ...scope, keyId });
    return {
      output: {
        KeyId: r.keyArn,
        KeyState: 'Shredded',
        Receipt: r.receipt,
        ...(r.completion ? { Completion: r.completion } : {}),
      },
      keyArn: r.keyArn,
    };
  },

  /** Hands every version's key material to the owner, wrapped for its RSA public key; the key becomes Suspended. */
  async SuspendKey({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    const publicKey = input.blob('PublicKey', { required: true, min: 1, max: 1024 });
    input.done();
    const r = await rpc.send<SuspendKeyReply>(Subjects.keys.suspend, { ...scope, keyId, publicKey });
    return {
      output: {
        KeyId: r.keyArn,
        KeyState: 'Suspended',
        WrappingAlgorithm: SUSPEND_WRAPPING_ALGORITHM,
        Versions: r.versions.map((v) => ({ Version: v.version, WrappedKeyMaterial: v.wrapped })),
      },
      keyArn: r.keyArn,
    };
  },

  /** An RSA-3072 public key made in a token, to wrap a suspended key's material for ReinstateKey (valid 24 hours). */
  async GetParametersForReinstate({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    input.done();
    const r = await rpc.send<GetParametersForReinstateReply>(Subjects.keys.getParametersForReinstate, {
      ...scope,
      keyId,
    });
    return {
      output: {
        KeyId: r.keyArn,
        PublicKey: r.publicKey,
        ImportToken: r.importToken,
        ParametersValidTo: Date.parse(r.parametersValidTo) / 1000,
        WrappingAlgorithm: SUSPEND_WRAPPING_ALGORITHM,
        WrappingKeySpec: 'RSA_3072',
      },
      keyArn: r.keyArn,
    };
  },

  /**
   * Brings a suspended key back from its key material: wrapped for the import key (ImportToken), or - the weaker
   * literal form, only with LiteralForm true - as in the suspend package, with the owner's PrivateKey.
   */
  async ReinstateKey({ input, scope, rpc }) {
    const keyId = requiredKeyId(input);
    const versions = packageVersions(input);
    const importToken = input.string('ImportToken', { max: 512 });
    const literal = input.boolean('LiteralForm') ?? false;
    const privateKey = input.blob('PrivateKey', { min: 1, max: 4096 });
    input.done();
    if (privateKey !== undefined && !literal) {
      throw validationError(
        'PrivateKey is accepted only with LiteralForm true: it shows the private key to the service.',
      );
    }
    if ((importToken === undefined) === (privateKey === undefined)) {
      throw validationError('Give either ImportToken or, with LiteralForm, PrivateKey.');
    }
    const r = await rpc.send<ReinstateKeyReply>(Subjects.keys.reinstate, {
      ...scope,
      keyId,
      versions: versions.map((v) => v.version),
      wrapped: versions.map((v) => v.wrapped),
      ...(importToken !== undefined ? { importToken } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
    });
    return { output: { KeyId: r.keyArn, KeyState: r.keyState }, keyArn: r.keyArn };
  },

  /** The domain's signing key (SPKI DER) and every member token's: what receipts and audit digests verify against. */
  async GetSigningPublicKey({ input, scope, rpc }) {
    input.done();
    const r = await rpc.send<GetSigningPublicKeyReply>(Subjects.keys.getSigningPublicKey, { ...scope });
    return {
      output: {
        PublicKey: r.publicKey,
        SigningKeys: r.signers.map((k) => ({ NodeId: k.nodeId, PublicKey: k.publicKey })),
      },
    };
  },

  /**
   * A run of the audit chain from FromSequence (default 1), Limit links (1..10000, default 1000), in order: every
   * link's hashes, the record only when it is the caller's own (with KeyId: that key's), and the signed digests.
   */
  async ExportAuditChain({ input, scope, rpc }) {
    const keyId = input.string('KeyId', { max: 2048 });
    const fromSequence = input.integer('FromSequence', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? 1;
    const limit = input.integer('Limit', { min: 1, max: 10000 }) ?? 1000;
    input.done();
    const r = await rpc.send<ExportAuditChainReply>(Subjects.keys.exportAuditChain, {
      ...scope,
      fromSequence,
      limit,
      ...(keyId !== undefined ? { keyId } : {}),
    });
    return {
      output: {
        ...(r.keyArn !== undefined ? { KeyId: r.keyArn } : {}),
        Links: r.links,
        Digests: r.digests,
        HeadSequence: r.headSequence,
      },
      ...(r.keyArn !== undefined ? { keyArn: r.keyArn } : {}),
    };
  },
};

/** ReinstateKey's Versions: [{ Version, WrappedKeyMaterial }], 1 to 1000 of them. */
function packageVersions(input: Input): { version: number; wrapped: string }[] {
  const list = input.objectList('Versions');
  if (list.length < 1 || list.length > 1000) {
    throw validationError('Versions must hold 1 to 1000 entries of { Version, WrappedKeyMaterial }.');
  }
  return list.map((v) => {
    const version = v.integer('Version', { min: 1, max: 1_000_000 });
    const wrapped = v.blob('WrappedKeyMaterial', { required: true, min: 1, max: 1024 });
    v.done();
    if (version === undefined) throw validationError('Every entry of Versions needs its Version.');
    return { version, wrapped: wrapped! };
  });
}
