/**
 * Errors of the PKCS#11 layer. Every CKR_* return value is translated through the one table below.
 * Messages name the operation and the CKR_* value only: never key bytes, plaintext, PINs or wrapped keys.
 */

export type HsmErrorCode =
  | 'PIN_INCORRECT'
  | 'PIN_LOCKED'
  | 'NOT_LOGGED_IN'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_IN_USE'
  | 'SESSION_CLOSED'
  | 'KEY_NOT_FOUND'
  | 'KEY_TYPE_INVALID'
  | 'KEY_FUNCTION_NOT_PERMITTED'
  | 'KEY_NOT_WRAPPABLE'
  | 'KEY_UNEXTRACTABLE'
  | 'ATTRIBUTE_SENSITIVE'
  | 'TEMPLATE_INVALID'
  | 'ENCRYPTED_DATA_INVALID'
  | 'WRAPPED_KEY_INVALID'
  | 'PUBLIC_KEY_INVALID'
  | 'PRIVATE_KEY_INVALID'
  | 'DATA_LEN_RANGE'
  | 'MECHANISM_INVALID'
  | 'UNSUPPORTED_PARAMETERS'
  | 'INVALID_ARGUMENT'
  /** No security officer PIN, or the token refused it: this token cannot mark a key trusted (until restart). */
  | 'SECURITY_OFFICER_UNAVAILABLE'
  | 'DEVICE_ERROR';

/** What the layer was doing when the token answered: lets the table resolve SoftHSM's generic errors. */
export type HsmOperation =
  | 'load'
  | 'initialize'
  | 'open'
  | 'login'
  | 'find'
  | 'create'
  | 'destroy'
  | 'generate'
  | 'random'
  | 'attributes'
  | 'encrypt'
  | 'decrypt'
  | 'wrap'
  | 'unwrap'
  | 'sign'
  | 'verify';

export class HsmError extends Error {
  override readonly name = 'HsmError';

  constructor(
    readonly code: HsmErrorCode,
    message: string,
    /** The CKR_* name when the token returned one; safe to log. */
    readonly ckr?: string,
  ) {
    super(message);
  }
}

interface Row {
  code: HsmErrorCode;
  /**
   * Per-operation overrides. SoftHSM2 2.6 answers a failed GCM tag check and a failed key-wrap
   * integrity check with CKR_GENERAL_ERROR; in those operations that value means bad input.
   */
  during?: Partial<Record<HsmOperation, HsmErrorCode>>;
}

/** CKR_* -> HsmErrorCode. Anything not listed is a DEVICE_ERROR. */
export const CKR_TABLE: Readonly<Record<string, Row>> = Object.freeze({
  CKR_PIN_INCORRECT: { code: 'PIN_INCORRECT' },
  CKR_PIN_INVALID: { code: 'PIN_INCORRECT' },
  CKR_PIN_LEN_RANGE: { code: 'PIN_INCORRECT' },
  CKR_PIN_LOCKED: { code: 'PIN_LOCKED' },
  CKR_PIN_EXPIRED: { code: 'PIN_LOCKED' },
  CKR_USER_NOT_LOGGED_IN: { code: 'NOT_LOGGED_IN' },
  CKR_USER_PIN_NOT_INITIALIZED: { code: 'NOT_LOGGED_IN' },
  CKR_USER_ALREADY_LOGGED_IN: { code: 'TOKEN_IN_USE' },
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: { code: 'TOKEN_IN_USE' },
  CKR_SLOT_ID_INVALID: { code: 'TOKEN_NOT_FOUND' },
  CKR_TOKEN_NOT_PRESENT: { code: 'TOKEN_NOT_FOUND' },
  CKR_TOKEN_NOT_RECOGNIZED: { code: 'TOKEN_NOT_FOUND' },
  CKR_SESSION_HANDLE_INVALID: { code: 'SESSION_CLOSED' },
  CKR_SESSION_CLOSED: { code: 'SESSION_CLOSED' },
  CKR_CRYPTOKI_NOT_INITIALIZED: { code: 'SESSION_CLOSED' },
  CKR_OBJECT_HANDLE_INVALID: { code: 'KEY_NOT_FOUND' },
  CKR_KEY_HANDLE_INVALID: { code: 'KEY_NOT_FOUND' },
  CKR_WRAPPING_KEY_HANDLE_INVALID: { code: 'KEY_NOT_FOUND' },
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: { code: 'KEY_NOT_FOUND' },
  CKR_KEY_TYPE_INCONSISTENT: { code: 'KEY_TYPE_INVALID' },
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: { code: 'KEY_TYPE_INVALID' },
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: { code: 'KEY_TYPE_INVALID' },
  CKR_KEY_SIZE_RANGE: { code: 'DATA_LEN_RANGE' },
  CKR_WRAPPING_KEY_SIZE_RANGE: { code: 'UNSUPPORTED_PARAMETERS' },
  CKR_UNWRAPPING_KEY_SIZE_RANGE: { code: 'UNSUPPORTED_PARAMETERS' },
  CKR_KEY_FUNCTION_NOT_PERMITTED: { code: 'KEY_FUNCTION_NOT_PERMITTED' },
  CKR_KEY_NOT_WRAPPABLE: { code: 'KEY_NOT_WRAPPABLE' },
  CKR_KEY_UNEXTRACTABLE: { code: 'KEY_UNEXTRACTABLE' },
  CKR_ATTRIBUTE_SENSITIVE: { code: 'ATTRIBUTE_SENSITIVE' },
  CKR_ATTRIBUTE_READ_ONLY: { code: 'TEMPLATE_INVALID' },
  CKR_ATTRIBUTE_TYPE_INVALID: { code: 'TEMPLATE_INVALID' },
  CKR_ATTRIBUTE_VALUE_INVALID: { code: 'TEMPLATE_INVALID' },
  CKR_TEMPLATE_INCOMPLETE: { code: 'TEMPLATE_INVALID' },
  CKR_TEMPLATE_INCONSISTENT: { code: 'TEMPLATE_INVALID' },
  CKR_ENCRYPTED_DATA_INVALID: { code: 'ENCRYPTED_DATA_INVALID' },
  CKR_ENCRYPTED_DATA_LEN_RANGE: { code: 'ENCRYPTED_DATA_INVALID' },
  CKR_WRAPPED_KEY_INVALID: { code: 'WRAPPED_KEY_INVALID' },
  CKR_WRAPPED_KEY_LEN_RANGE: { code: 'WRAPPED_KEY_INVALID' },
  CKR_DATA_INVALID: { code: 'DATA_LEN_RANGE' },
  CKR_DATA_LEN_RANGE: { code: 'DATA_LEN_RANGE' },
  CKR_MECHANISM_INVALID: { code: 'MECHANISM_INVALID' },
  CKR_MECHANISM_PARAM_INVALID: { code: 'UNSUPPORTED_PARAMETERS' },
  CKR_DOMAIN_PARAMS_INVALID: { code: 'UNSUPPORTED_PARAMETERS' },
  CKR_CURVE_NOT_SUPPORTED: { code: 'UNSUPPORTED_PARAMETERS' },
  CKR_ARGUMENTS_BAD: { code: 'INVALID_ARGUMENT' },
  CKR_GENERAL_ERROR: {
    code: 'DEVICE_ERROR',
    during: { decrypt: 'ENCRYPTED_DATA_INVALID', unwrap: 'WRAPPED_KEY_INVALID' },
  },
  CKR_DEVICE_ERROR: { code: 'DEVICE_ERROR' },
  CKR_DEVICE_MEMORY: { code: 'DEVICE_ERROR' },
  CKR_DEVICE_REMOVED: { code: 'DEVICE_ERROR' },
  CKR_HOST_MEMORY: { code: 'DEVICE_ERROR' },
  CKR_FUNCTION_FAILED: { code: 'DEVICE_ERROR' },
});

/** The HsmErrorCode for a CKR_* name returned during `operation`. */
export function codeForCkr(ckr: string, operation: HsmOperation): HsmErrorCode {
  const row = CKR_TABLE[ckr];
  if (row === undefined) return 'DEVICE_ERROR';
  return row.during?.[operation] ?? row.code;
}

/**
 * Translates anything a PKCS#11 call threw into an HsmError. pkcs11js puts the CKR_* name in the
 * error message (e.g. "CKR_PIN_INCORRECT"); other errors (argument type errors, load failures) become
 * DEVICE_ERROR without echoing their text, which could contain caller data.
 */
export function toHsmError(err: unknown, operation: HsmOperation): HsmError {
  if (err instanceof HsmError) return err;
  const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : '';
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(text);
  if (m?.[1] !== undefined) {
    const ckr = m[1];
    return new HsmError(codeForCkr(ckr, operation), `PKCS#11 ${operation} failed: ${ckr}`, ckr);
  }
  return new HsmError('DEVICE_ERROR', `PKCS#11 ${operation} failed`);
}

/** Throws HsmError(code, msg) unless `cond` holds. */
export function needs(cond: unknown, msg: string, code: HsmErrorCode = 'INVALID_ARGUMENT'): asserts cond {
  if (!cond) throw new HsmError(code, msg);
}
