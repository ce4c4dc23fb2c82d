import { EvaluatePolicyUseCase, principalAccount } from './evaluate-policy.use-case.js';

const base = {
  requestId: 'r1',
  tenantId: '111122223333',
  principal: 'arn:aws:iam::111122223333:user/admin',
  action: 'kms:Encrypt' as const,
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11',
  keyAccountId: '111122223333',
};

describe('EvaluatePolicyUseCase', () => {
  const useCase = new EvaluatePolicyUseCase(5000);

  it('should allow when the principal belongs to the key account', () => {
    const d = useCase.execute(base);
    expect(d.effect).toBe('ALLOW');
    expect(d.reason).toContain('default key policy');
  });

  it('should let callers cache the decision when it depends on no condition', () => {
    expect(useCase.execute(base).cacheTtlMs).toBe(5000);
    expect(useCase.execute({ ...base, keyAccountId: '444455556666' }).cacheTtlMs).toBe(5000);
  });

  it('should deny when the key belongs to another account', () => {
    const d = useCase.execute({ ...base, keyAccountId: '444455556666' });
    expect(d.effect).toBe('DENY');
    expect(d.reason).toContain('implicit deny');
  });

  it('should deny when the principal ARN names another account than the tenant', () => {
    expect(useCase.execute({ ...base, principal: 'arn:aws:iam::444455556666:user/x' }).effect).toBe('DENY');
  });

  it('should deny when the principal is not an IAM ARN', () => {
    expect(useCase.execute({ ...base, principal: 'anonymous' }).effect).toBe('DENY');
  });
});

describe('principalAccount', () => {
  it('should read the account when given user, role and root ARNs', () => {
    expect(principalAccount('arn:aws:iam::111122223333:root')).toBe('111122223333');
    expect(principalAccount('arn:aws:iam::111122223333:role/r')).toBe('111122223333');
    expect(principalAccount('arn:aws:iam::11112222333:root')).toBeUndefined();
  });
});
