import { ErrorCodes, Subjects } from '@symbolon/contracts';

import { keyHarness } from '../../key-harness.test-helper.js';
import { GetKeyUsageUseCase } from './get-key-usage.use-case.js';

const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-usage',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

function setup(counted: { keyVersion: number; encryptions: number }[]) {
  const h = keyHarness({ region: 'eu-west-1' });
  h.rpc.on(Subjects.audit.usage, () => ({ versions: counted }));
  return { ...h, useCase: new GetKeyUsageUseCase(h.resolver, h.rpcClient) };
}

describe('GetKeyUsageUseCase', () => {
  it('should answer every version of the key with its count, 0 for a version audit never counted', async () => {
    const t = setup([
      { keyVersion: 1, encryptions: 7 },
      { keyVersion: 3, encryptions: 2 },
    ]);
    const { key } = await t.seed(A, { versions: [1, 2, 3], region: 'eu-west-1' });
    expect(await t.useCase.execute({ ...scope(A), keyId: key.id })).toEqual({
      keyArn: key.arn,
      versions: [
        { keyVersion: 1, encryptions: 7 },
        { keyVersion: 2, encryptions: 0 },
        { keyVersion: 3, encryptions: 2 },
      ],
    });
  });

  it('should ask policy for kms:GetKeyUsage and audit for the counters of the key owner', async () => {
    const t = setup([]);
    const { key } = await t.seed(A, { region: 'eu-west-1' });
    await t.useCase.execute({ ...scope(A), keyId: key.arn });
    expect(t.policyRequests()).toMatchObject([{ action: 'kms:GetKeyUsage', keyArn: key.arn }]);
    expect(t.rpc.to(Subjects.audit.usage).map((c) => c.payload)).toEqual([
      { requestId: 'req-usage', tenantId: A, keyArn: key.arn },
    ]);
  });

  it('should answer ACCESS_DENIED without asking audit when the key ARN is of another account', async () => {
    const t = setup([]);
    const { key } = await t.seed(A, { region: 'eu-west-1' });
    await expect(t.useCase.execute({ ...scope(B), keyId: key.arn })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
    });
    expect(t.rpc.to(Subjects.audit.usage)).toEqual([]);
  });

  it('should answer NOT_FOUND when the key does not exist in the caller account', async () => {
    const t = setup([]);
    await expect(
      t.useCase.execute({ ...scope(A), keyId: '0b4a1f3e-1111-4222-8333-944444444444' }),
    ).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });
});
