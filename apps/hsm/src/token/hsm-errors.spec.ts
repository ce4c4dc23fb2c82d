import { type ErrorCode, ErrorCodes, KmsError } from '@symbolon/contracts';
import { HsmError, type HsmErrorCode } from '@symbolon/pkcs11';

import { toKmsError } from './hsm-errors.js';

/** Every HsmErrorCode and what the platform sees; typed as a Record so a new code fails the typecheck here. */
const EXPECTED: Record<HsmErrorCode, ErrorCode> = {
  ENCRYPTED_DATA_INVALID: ErrorCodes.INVALID_CIPHERTEXT,
  UNSUPPORTED_PARAMETERS: ErrorCodes.VALIDATION,
  INVALID_ARGUMENT: ErrorCodes.VALIDATION,
  DATA_LEN_RANGE: ErrorCodes.VALIDATION,
  PUBLIC_KEY_INVALID: ErrorCodes.VALIDATION,
  PRIVATE_KEY_INVALID: ErrorCodes.VALIDATION,
  WRAPPED_KEY_INVALID: ErrorCodes.INVALID_STATE,
  KEY_NOT_FOUND: ErrorCodes.INVALID_STATE,
  DEVICE_ERROR: ErrorCodes.HSM_UNAVAILABLE,
  SESSION_CLOSED: ErrorCodes.HSM_UNAVAILABLE,
  NOT_LOGGED_IN: ErrorCodes.HSM_UNAVAILABLE,
  SECURITY_OFFICER_UNAVAILABLE: ErrorCodes.INVALID_STATE,
  PIN_LOCKED: ErrorCodes.HSM_UNAVAILABLE,
  TOKEN_NOT_FOUND: ErrorCodes.HSM_UNAVAILABLE,
  PIN_INCORRECT: ErrorCodes.INTERNAL,
  TOKEN_IN_USE: ErrorCodes.INTERNAL,
  KEY_TYPE_INVALID: ErrorCodes.INTERNAL,
  KEY_FUNCTION_NOT_PERMITTED: ErrorCodes.INTERNAL,
  KEY_NOT_WRAPPABLE: ErrorCodes.INTERNAL,
  KEY_UNEXTRACTABLE: ErrorCodes.INTERNAL,
  ATTRIBUTE_SENSITIVE: ErrorCodes.INTERNAL,
  TEMPLATE_INVALID: ErrorCodes.INTERNAL,
  MECHANISM_INVALID: ErrorCodes.INTERNAL,
};

const hsmError = (code: HsmErrorCode) => new HsmError(code, `decrypt failed: CKR_TEST (${code})`, 'CKR_TEST');

describe('toKmsError', () => {
  it.each(Object.entries(EXPECTED) as [HsmErrorCode, ErrorCode][])(
    'should map HsmError %s to KmsError %s when given it',
    (hsmCode, kmsCode) => {
      const mapped = toKmsError(hsmError(hsmCode));
      expect(mapped).toBeInstanceOf(KmsError);
      expect((mapped as KmsError).code).toBe(kmsCode);
    },
  );

  it('should name no check and carry no token message when the ciphertext is invalid', () => {
    expect(toKmsError(hsmError('ENCRYPTED_DATA_INVALID'))).toMatchObject({
      message: 'The ciphertext is invalid.',
    });
  });

  it.each(['UNSUPPORTED_PARAMETERS', 'INVALID_ARGUMENT', 'DATA_LEN_RANGE'] as const)(
    'should keep the token message when %s is a validation error',
    (code) => {
      expect((toKmsError(hsmError(code)) as KmsError).message).toBe(hsmError(code).message);
    },
  );

  it.each(['DEVICE_ERROR', 'SESSION_CLOSED', 'NOT_LOGGED_IN', 'PIN_LOCKED', 'TOKEN_NOT_FOUND'] as const)(
    'should answer a retryable error naming the code when the token cannot serve (%s)',
    (code) => {
      const mapped = toKmsError(hsmError(code)) as KmsError;
      expect(mapped.retryable).toBe(true);
      expect(mapped.message).toBe(`token unavailable: ${code}`);
    },
  );

  it.each([
    ['an Error', new Error('boom')],
    ['a KmsError', new KmsError(ErrorCodes.NOT_FOUND, 'no such key')],
    ['a string', 'text'],
    ['undefined', undefined],
    ['an object shaped like an HsmError', { name: 'HsmError', code: 'DEVICE_ERROR', message: 'x' }],
  ])('should pass the value through unchanged when given %s', (_, value) => {
    expect(toKmsError(value)).toBe(value);
  });
});
