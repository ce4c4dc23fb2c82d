import {
  type AuditRecordDto,
  type GetKeyUsageReply,
  type ListAuditEventsReply,
  Subjects,
} from '@symbolon/contracts';

import { validationError } from '../aws-error.js';

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
};
