import { ErrorCodes } from '@symbolon/contracts';

import { keyHarness } from '../../key-harness.test-helper.js';
import { DescribeKeyUseCase } from './describe-key.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-describe',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

function setup() {
  const h = keyHarness({ region: REGION });
  return { ...h, useCase: new DescribeKeyUseCase(h.resolver) };
}

describe('DescribeKeyUseCase', () => {
  it('should answer the metadata of the caller own key after policy allows kms:DescribeKey', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { description: 'orders' } });
    const r = await t.useCase.execute({ ...scope(A), keyId: key.arn });
    expect(r.key).toEqual({
      keyId: key.id,
      arn: key.arn,
      accountId: A,
      description: 'orders',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      creationDate: '2024-01-02T03:04:05.000Z',
      currentVersion: 1,
    });
    expect(t.policyRequests()).toEqual([
      { ...scope(A), action: 'kms:DescribeKey', keyArn: key.arn, keyAccountId: A },
    ]);
  });

  it.each(['Disabled', 'PendingDeletion'] as const)(
    'should describe the key when it is %s',
    async (keyState) => {
      const t = setup();
      const { key } = await t.seed(A, { overrides: { keyState } });
      expect((await t.useCase.execute({ ...scope(A), keyId: key.id })).key.keyState).toBe(keyState);
    },
  );

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await expect(t.useCase.execute({ ...scope(B), keyId: key.id })).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    expect(t.policyRequests()).toEqual([]);
  });

  it('should answer ACCESS_DENIED with the decision when tenant B names a key of A by ARN and policy denies', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'implicit deny' });
    await expect(t.useCase.execute({ ...scope(B), keyId: key.arn })).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
      details: { effect: 'DENY', reason: 'implicit deny' },
    });
  });
});
