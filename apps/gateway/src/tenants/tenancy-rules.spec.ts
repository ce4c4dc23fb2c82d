import {
  INTERNAL_ACCOUNT_ID,
  isTenantAccountId,
  isValidUserName,
  userArn,
  userNameOf,
} from './tenancy-rules.js';

describe('tenancy rules', () => {
  it('should accept IAM user names when they use letters, digits and +=,.@_- within 64 characters', () => {
    for (const name of ['a', 'admin', 'Bob_1', 'x+y=z,w.v@u-t', 'u'.repeat(64)]) {
      expect(isValidUserName(name)).toBe(true);
    }
  });

  it('should refuse user names when they are empty, too long or hold other characters', () => {
    for (const name of ['', 'u'.repeat(65), 'has space', 'slash/name', 'colon:name', 'é', 'star*']) {
      expect(isValidUserName(name)).toBe(false);
    }
  });

  it('should accept 12-digit account ids but not the internal account when checking tenant ids', () => {
    expect(isTenantAccountId('111122223333')).toBe(true);
    expect(isTenantAccountId(INTERNAL_ACCOUNT_ID)).toBe(false);
    for (const id of ['11112222333', '1111222233334', '11112222333a', ''])
      expect(isTenantAccountId(id)).toBe(false);
  });

  it('should build and read back user ARNs when given an account and a name', () => {
    const arn = userArn('111122223333', 'alice');
    expect(arn).toBe('arn:aws:iam::111122223333:user/alice');
    expect(userNameOf(arn)).toBe('alice');
    expect(userNameOf('arn:aws:iam::111122223333:root')).toBeUndefined();
  });
});
