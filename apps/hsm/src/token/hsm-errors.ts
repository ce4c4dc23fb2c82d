import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { HsmError } from '@symbolon/pkcs11';

/** Token errors as the rest of the platform sees them; messages never carry key bytes. */
export function toKmsError(e: unknown): unknown {
  if (!(e instanceof HsmError)) return e;
  switch (e.code) {
    case 'ENCRYPTED_DATA_INVALID':
      return new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'the ciphertext or its encryption context is not valid');
    case 'UNSUPPORTED_PARAMETERS':
      return new KmsError(ErrorCodes.VALIDATION, e.message);
    case 'WRAPPED_KEY_INVALID':
    case 'KEY_NOT_FOUND':
      return new KmsError(ErrorCodes.INVALID_STATE, 'the key material of this key version is not available in the token');
    default:
      return new KmsError(ErrorCodes.HSM_UNAVAILABLE, `token error: ${e.code}`);
  }
}
