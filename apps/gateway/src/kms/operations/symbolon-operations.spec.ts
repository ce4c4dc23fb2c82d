import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { refusal, run } from './operation.test-helper.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/0b4a1f3e-1111-4222-8333-944444444444';

describe('Symbolon.GetKeyUsage', () => {
  it('should send the key id to kms.v1.keys.get-usage and answer each version with its count', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.getUsage, {
      keyArn: ARN,
      versions: [
        { keyVersion: 1, encryptions: 10 },
        { keyVersion: 2, encryptions: 0 },
      ],
    });
    const r = await run('GetKeyUsage', { KeyId: 'alias/x' }, rpc, 'symbolon');
    expect(rpc.calls.map((c) => [c.subject, (c.payload as { keyId: string }).keyId])).toEqual([
      [Subjects.keys.getUsage, 'alias/x'],
    ]);
    expect(r.output).toEqual({
      KeyId: ARN,
      KeyVersions: [
        { KeyVersion: 1, Encryptions: 10 },
        { KeyVersion: 2, Encryptions: 0 },
      ],
    });
    expect(r.keyArn).toBe(ARN);
  });

  it.each([
    [{}, 'ValidationException'],
    [{ KeyId: '' }, 'ValidationException'],
    [{ KeyId: 7 }, 'SerializationException'],
  ])('should refuse %j with %s without calling the coordinator', async (body, type) => {
    const rpc = new RecordingRpc();
    expect((await refusal('GetKeyUsage', body, rpc, 'symbolon')).type).toBe(type);
    expect(rpc.calls).toEqual([]);
  });
});

describe('Symbolon.ListAuditEvents', () => {
  const record = {
    requestId: 'r-1',
    time: '2026-01-02T03:04:05.000Z',
    tenantId: '111122223333',
    principal: 'arn:aws:iam::111122223333:user/admin',
    accessKeyId: 'AKIA',
    sourceIp: '127.0.0.1',
    operation: 'Decrypt',
    keyArn: ARN,
    keyVersion: 1,
    encryptionContext: { app: 'x' },
    decision: { effect: 'DENY', reason: 'explicit deny' },
    outcome: 'AccessDeniedException',
    httpStatus: 400,
    sequence: 42,
    hash: 'ab',
  };

  it('should send the filters to kms.v1.keys.list-audit-events and answer the events with the marker', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.listAuditEvents, {
      keyArn: ARN,
      events: [record],
      nextMarker: 'm2',
    });
    const r = await run(
      'ListAuditEvents',
      {
        KeyId: 'k',
        Operation: 'Decrypt',
        StartTime: 1700000000,
        EndTime: 1700000100.5,
        Limit: 5,
        Marker: 'm1',
      },
      rpc,
      'symbolon',
    );
    expect(rpc.calls[0]!.payload).toMatchObject({
      keyId: 'k',
      operation: 'Decrypt',
      startTime: '2023-11-14T22:13:20.000Z',
      endTime: '2023-11-14T22:15:00.500Z',
      limit: 5,
      marker: 'm1',
    });
    expect(r.output).toEqual({
      Events: [
        {
          EventId: 'r-1',
          EventTime: 1767323045,
          Operation: 'Decrypt',
          Outcome: 'AccessDeniedException',
          AccountId: '111122223333',
          Principal: 'arn:aws:iam::111122223333:user/admin',
          SourceIp: '127.0.0.1',
          KeyId: ARN,
          KeyVersion: 1,
          EncryptionContext: { app: 'x' },
          Decision: { Effect: 'DENY', Reason: 'explicit deny' },
          Sequence: 42,
          Hash: 'ab',
        },
      ],
      Truncated: true,
      NextMarker: 'm2',
    });
  });

  it.each([
    [{ Limit: 0 }, 'ValidationException'],
    [{ Limit: 1001 }, 'ValidationException'],
    [{ StartTime: 'yesterday' }, 'SerializationException'],
    [{ StartTime: -1 }, 'SerializationException'],
    [{ StartTime: 200, EndTime: 100 }, 'ValidationException'],
    [{ Operation: 'x'.repeat(65) }, 'ValidationException'],
    [{ KeyId: 5 }, 'SerializationException'],
  ])('should refuse %j with %s without calling the coordinator', async (body, type) => {
    const rpc = new RecordingRpc();
    expect((await refusal('ListAuditEvents', body, rpc, 'symbolon')).type).toBe(type);
    expect(rpc.calls).toEqual([]);
  });
});
