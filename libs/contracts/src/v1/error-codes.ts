/** Error codes carried in the RPC error envelope between services. The gateway maps each to an AWS error. */
export const ErrorCodes = {
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  ACCESS_DENIED: 'ACCESS_DENIED',
  DISABLED: 'DISABLED',
  INVALID_STATE: 'INVALID_STATE',
  INVALID_CIPHERTEXT: 'INVALID_CIPHERTEXT',
  INCORRECT_KEY: 'INCORRECT_KEY',
  INCORRECT_KEY_MATERIAL: 'INCORRECT_KEY_MATERIAL',
  INVALID_IMPORT_TOKEN: 'INVALID_IMPORT_TOKEN',
  EXPIRED_IMPORT_TOKEN: 'EXPIRED_IMPORT_TOKEN',
  /** A domain change a node refused (libs/quorum refusal code first in the message). */
  QUORUM_REFUSED: 'QUORUM_REFUSED',
  INVALID_MARKER: 'INVALID_MARKER',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  TAG: 'TAG',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  CONFLICT: 'CONFLICT',
  MALFORMED_POLICY: 'MALFORMED_POLICY',
  INVALID_ARN: 'INVALID_ARN',
  INVALID_GRANT_TOKEN: 'INVALID_GRANT_TOKEN',
  INVALID_GRANT_ID: 'INVALID_GRANT_ID',
  /** No domain (custom key store) has that id. */
  CUSTOM_KEY_STORE_NOT_FOUND: 'CUSTOM_KEY_STORE_NOT_FOUND',
  /** The domain (custom key store) has no member that can serve now. */
  CUSTOM_KEY_STORE_INVALID_STATE: 'CUSTOM_KEY_STORE_INVALID_STATE',
  DEPENDENCY_TIMEOUT: 'DEPENDENCY_TIMEOUT',
  HSM_UNAVAILABLE: 'HSM_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.DEPENDENCY_TIMEOUT,
  ErrorCodes.HSM_UNAVAILABLE,
  ErrorCodes.INTERNAL,
]);

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, value);
}
