import { type ErrorCode, ErrorCodes, KmsError } from '@symbolon/contracts';

/** An error as AWS clients read it: `{"__type": type, "message": message}` with an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly kmsError?: KmsError,
  ) {
    super(message);
  }
}

export const validationError = (message: string) => new AwsError('ValidationException', message);
export const serializationError = (message: string) => new AwsError('SerializationException', message);

/** The one exhaustive mapping from an internal error code to the AWS error a client sees. */
export function awsTypeFor(code: ErrorCode): { type: string; status: number } {
  switch (code) {
    case ErrorCodes.VALIDATION:
      return { type: 'ValidationException', status: 400 };
    case ErrorCodes.NOT_FOUND:
      return { type: 'NotFoundException', status: 400 };
    case ErrorCodes.ACCESS_DENIED:
      return { type: 'AccessDeniedException', status: 400 };
    case ErrorCodes.DISABLED:
      return { type: 'DisabledException', status: 400 };
    case ErrorCodes.INVALID_STATE:
      return { type: 'KMSInvalidStateException', status: 400 };
    case ErrorCodes.INVALID_CIPHERTEXT:
      return { type: 'InvalidCiphertextException', status: 400 };
    case ErrorCodes.INCORRECT_KEY:
      return { type: 'IncorrectKeyException', status: 400 };
    case ErrorCodes.INCORRECT_KEY_MATERIAL:
      return { type: 'IncorrectKeyMaterialException', status: 400 };
    case ErrorCodes.INVALID_IMPORT_TOKEN:
      return { type: 'InvalidImportTokenException', status: 400 };
    case ErrorCodes.EXPIRED_IMPORT_TOKEN:
      return { type: 'ExpiredImportTokenException', status: 400 };
    case ErrorCodes.QUORUM_REFUSED:
      return { type: 'AccessDeniedException', status: 400 };
    case ErrorCodes.INVALID_MARKER:
      return { type: 'InvalidMarkerException', status: 400 };
    case ErrorCodes.LIMIT_EXCEEDED:
      return { type: 'LimitExceededException', status: 400 };
    case ErrorCodes.CONFLICT:
      return { type: 'ConflictException', status: 400 };
    case ErrorCodes.MALFORMED_POLICY:
      return { type: 'MalformedPolicyDocumentException', status: 400 };
    case ErrorCodes.INVALID_ARN:
      return { type: 'InvalidArnException', status: 400 };
    case ErrorCodes.INVALID_GRANT_TOKEN:
      return { type: 'InvalidGrantTokenException', status: 400 };
    case ErrorCodes.INVALID_GRANT_ID:
      return { type: 'InvalidGrantIdException', status: 400 };
    case ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND:
      return { type: 'CustomKeyStoreNotFoundException', status: 400 };
    case ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE:
      return { type: 'CustomKeyStoreInvalidStateException', status: 400 };
    case ErrorCodes.ALREADY_EXISTS:
      return { type: 'AlreadyExistsException', status: 400 };
    case ErrorCodes.TAG:
      return { type: 'TagException', status: 400 };
    case ErrorCodes.DEPENDENCY_TIMEOUT:
      return { type: 'DependencyTimeoutException', status: 503 };
    case ErrorCodes.HSM_UNAVAILABLE:
      return { type: 'KMSInternalException', status: 500 };
    case ErrorCodes.INTERNAL:
      return { type: 'KMSInternalException', status: 500 };
    default: {
      const unreachable: never = code;
      return { type: 'KMSInternalException', status: 500, ...{ unreachable } };
    }
  }
}

export function toAwsError(e: unknown): AwsError {
  if (e instanceof AwsError) return e;
  if (e instanceof KmsError) {
    const { type, status } = awsTypeFor(e.code);
    const internal = status >= 500;
    return new AwsError(
      type,
      internal ? 'The request could not be completed; retry later.' : e.message,
      status,
      e,
    );
  }
  return new AwsError('KMSInternalException', 'The request could not be completed; retry later.', 500);
}
