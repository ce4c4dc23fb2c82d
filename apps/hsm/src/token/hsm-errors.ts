import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { HsmError } from '@symbolon/pkcs11';

/**
 * Token errors as the rest of the platform sees them; messages never carry key bytes. Only a token that cannot
 * serve (device, session, login) is HSM_UNAVAILABLE, which the coordinator retries on another node.
 */
export function toKmsError(e: unknown): unknown {
  if (!(e instanceof HsmError)) return e;
  switch (e.code) {
    case 'ENCRYPTED_DATA_INVALID':
      return new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'The ciphertext is invalid.');
    case 'UNSUPPORTED_PARAMETERS':
    case 'INVALID_ARGUMENT':
    case 'DATA_LEN_RANGE':
    case 'PUBLIC_KEY_INVALID':
    case 'PRIVATE_KEY_INVALID':
      return new KmsError(ErrorCodes.VALIDATION, e.message);
    case 'WRAPPED_KEY_INVALID':
    case 'KEY_NOT_FOUND':
      return new KmsError(
        ErrorCodes.INVALID_STATE,
        'the key material of this key version is not available in the token',
      );
    case 'SECURITY_OFFICER_UNAVAILABLE':
      // A configuration matter of this node, not a passing failure: another node is asked by the caller if it can.
      return new KmsError(ErrorCodes.INVALID_STATE, e.message);
    case 'DEVICE_ERROR':
    case 'SESSION_CLOSED':
    case 'NOT_LOGGED_IN':
    case 'PIN_LOCKED':
    case 'TOKEN_NOT_FOUND':
      return new KmsError(ErrorCodes.HSM_UNAVAILABLE, `token unavailable: ${e.code}`);
    default:
      return new KmsError(ErrorCodes.INTERNAL, `token error: ${e.code}`);
  }
}
