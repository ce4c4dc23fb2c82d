import { CKR_TABLE, codeForCkr, HsmError, toHsmError } from './errors.js';

/** What pkcs11js throws: a Pkcs11Error whose message is the CKR_* name. */
function pkcs11Error(ckr: string): Error {
  const e = new Error(ckr);
  e.name = 'Pkcs11Error';
  return e;
}

describe('HsmError mapping', () => {
  it('should map CKR_PIN_INCORRECT to PIN_INCORRECT when logging in', () => {
    const e = toHsmError(pkcs11Error('CKR_PIN_INCORRECT'), 'login');
    expect(e).toBeInstanceOf(HsmError);
    expect(e.code).toBe('PIN_INCORRECT');
    expect(e.ckr).toBe('CKR_PIN_INCORRECT');
    expect(e.message).toBe('PKCS#11 login failed: CKR_PIN_INCORRECT');
  });

  it('should map the key and data errors of the brief when the token returns them', () => {
    expect(codeForCkr('CKR_KEY_NOT_WRAPPABLE', 'wrap')).toBe('KEY_NOT_WRAPPABLE');
    expect(codeForCkr('CKR_ENCRYPTED_DATA_INVALID', 'decrypt')).toBe('ENCRYPTED_DATA_INVALID');
    expect(codeForCkr('CKR_WRAPPED_KEY_INVALID', 'unwrap')).toBe('WRAPPED_KEY_INVALID');
    expect(codeForCkr('CKR_MECHANISM_INVALID', 'encrypt')).toBe('MECHANISM_INVALID');
    expect(codeForCkr('CKR_MECHANISM_PARAM_INVALID', 'encrypt')).toBe('UNSUPPORTED_PARAMETERS');
    expect(codeForCkr('CKR_OBJECT_HANDLE_INVALID', 'destroy')).toBe('KEY_NOT_FOUND');
    expect(codeForCkr('CKR_ATTRIBUTE_SENSITIVE', 'attributes')).toBe('ATTRIBUTE_SENSITIVE');
  });

  it('should read CKR_GENERAL_ERROR as bad input when SoftHSM2 returns it from decrypt or unwrap', () => {
    expect(codeForCkr('CKR_GENERAL_ERROR', 'decrypt')).toBe('ENCRYPTED_DATA_INVALID');
    expect(codeForCkr('CKR_GENERAL_ERROR', 'unwrap')).toBe('WRAPPED_KEY_INVALID');
    expect(codeForCkr('CKR_GENERAL_ERROR', 'encrypt')).toBe('DEVICE_ERROR');
  });

  it('should map curve and domain parameter errors to UNSUPPORTED_PARAMETERS when key generation returns them', () => {
    expect(codeForCkr('CKR_CURVE_NOT_SUPPORTED', 'generate')).toBe('UNSUPPORTED_PARAMETERS');
    expect(codeForCkr('CKR_DOMAIN_PARAMS_INVALID', 'generate')).toBe('UNSUPPORTED_PARAMETERS');
    expect(codeForCkr('CKR_KEY_UNEXTRACTABLE', 'wrap')).toBe('KEY_UNEXTRACTABLE');
  });

  it('should give DEVICE_ERROR when the CKR value is not in the table', () => {
    expect(codeForCkr('CKR_VENDOR_DEFINED', 'encrypt')).toBe('DEVICE_ERROR');
    expect(CKR_TABLE['CKR_VENDOR_DEFINED']).toBeUndefined();
  });

  it('should not echo the text of an error when it carries no CKR value', () => {
    const e = toHsmError(new TypeError('Argument 3 secret=00112233 has wrong type'), 'encrypt');
    expect(e.code).toBe('DEVICE_ERROR');
    expect(e.message).toBe('PKCS#11 encrypt failed');
    expect(e.message).not.toContain('00112233');
  });

  it('should return an HsmError unchanged when it is already one', () => {
    const original = new HsmError('KEY_NOT_FOUND', 'missing');
    expect(toHsmError(original, 'find')).toBe(original);
  });
});
