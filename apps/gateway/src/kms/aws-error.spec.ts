import { ErrorCodes, KmsError } from '@symbolon/contracts';

import { AwsError, awsTypeFor, toAwsError } from './aws-error.js';

describe('awsTypeFor', () => {
  it.each(Object.values(ErrorCodes))('should map %s to an AWS exception name', (code) => {
    const { type, status } = awsTypeFor(code);
    expect(type).toMatch(/Exception$/);
    expect([400, 500, 503]).toContain(status);
  });
});

describe('toAwsError', () => {
  it('should keep the message when the error is a client error', () => {
    const e = toAwsError(new KmsError(ErrorCodes.NOT_FOUND, "Key 'x' does not exist"));
    expect(e).toMatchObject({ type: 'NotFoundException', status: 400, message: "Key 'x' does not exist" });
  });

  it.each([
    [ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND, 'CustomKeyStoreNotFoundException'],
    [ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE, 'CustomKeyStoreInvalidStateException'],
  ])(
    'should answer %s as %s with status 400 and the message when a custom key store refuses',
    (code, type) => {
      const e = toAwsError(new KmsError(code, 'custom key store cks-1234567890abcdef0 is not connected'));
      expect(e).toMatchObject({
        type,
        status: 400,
        message: 'custom key store cks-1234567890abcdef0 is not connected',
      });
      expect(e.kmsError?.code).toBe(code);
    },
  );

  it('should hide internal detail when the error is a server error', () => {
    const e = toAwsError(new KmsError(ErrorCodes.INTERNAL, 'db at 10.0.0.1 refused'));
    expect(e.status).toBe(500);
    expect(e.message).not.toContain('10.0.0.1');
  });

  it('should answer KMSInternalException when the error is unknown', () => {
    expect(toAwsError(new Error('boom'))).toMatchObject({ type: 'KMSInternalException', status: 500 });
  });

  it('should pass AwsError through when already mapped', () => {
    const e = new AwsError('SerializationException', 'bad');
    expect(toAwsError(e)).toBe(e);
  });
});
