import { ErrorCodes, Subjects } from '@symbolon/contracts';

import { keyHarness } from '../../key-harness.test-helper.js';
import { ListAuditEventsUseCase } from './list-audit-events.use-case.js';

const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-audit',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const record = (sequence: number) => ({
  requestId: `r${sequence}`,
  sequence,
  hash: 'h',
  operation: 'Encrypt',
});

function setup(records: object[]) {
  const h = keyHarness({ region: 'eu-west-1' });
  h.rpc.on(Subjects.audit.query, () => ({ records, total: records.length }));
  return { ...h, useCase: new ListAuditEventsUseCase(h.resolver, h.policy, h.rpcClient) };
}

describe('ListAuditEventsUseCase', () => {
  it('should ask audit for the caller own records, one more than the limit, and give a marker when there are more', async () => {
    const t = setup([record(9), record(8), record(7)]);
    const r = await t.useCase.execute({ ...scope(A), limit: 2 });
    expect(t.rpc.to(Subjects.audit.query).map((c) => c.payload)).toEqual([
      { requestId: 'req-audit', tenantId: A, limit: 3 },
    ]);
    expect(r.events.map((e) => e.sequence)).toEqual([9, 8]);
    const again = setup([]);
    await again.useCase.execute({ ...scope(A), limit: 2, marker: r.nextMarker! });
    expect(again.rpc.to(Subjects.audit.query)[0]!.payload).toMatchObject({ beforeSequence: 8 });
  });

  it('should ask audit for every record of an own key by its ARN after policy allowed it on the key', async () => {
    const t = setup([]);
    const { key } = await t.seed(A, { region: 'eu-west-1' });
    const r = await t.useCase.execute({ ...scope(A), limit: 10, keyId: key.id, operation: 'Decrypt' });
    expect(r.keyArn).toBe(key.arn);
    expect(t.policyRequests()).toMatchObject([
      { action: 'kms:ListAuditEvents', keyArn: '*' },
      { action: 'kms:ListAuditEvents', keyArn: key.arn },
    ]);
    expect(t.rpc.to(Subjects.audit.query)[0]!.payload).toMatchObject({
      keyArn: key.arn,
      operation: 'Decrypt',
    });
  });

  it('should answer ACCESS_DENIED without asking audit when the key is of another account', async () => {
    const t = setup([]);
    const { key } = await t.seed(A, { region: 'eu-west-1' });
    await expect(t.useCase.execute({ ...scope(B), limit: 10, keyId: key.arn })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect(t.rpc.to(Subjects.audit.query)).toEqual([]);
  });

  it.each([
    ['not-base64!'],
    [Buffer.from('v1:0').toString('base64url')],
    [Buffer.from('v1:five').toString('base64url')],
  ])('should answer INVALID_MARKER without asking anyone when the marker is %s', async (marker) => {
    const t = setup([]);
    await expect(t.useCase.execute({ ...scope(A), limit: 10, marker })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_MARKER,
    });
    expect(t.rpc.calls).toEqual([]);
  });
});
