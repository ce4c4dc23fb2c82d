import { ErrorCodes, KmsError, toBase64 } from '@symbolon/contracts';
import { EnvelopeError, ciphertextBlobAad } from '@symbolon/formats';

/**
 * The AAD of a ciphertext blob (header || canonical encryption context), base64 for the hsm. A context the format
 * cannot bind (e.g. not well-formed UTF-16, or too large) is the caller's error, never an internal one.
 */
export function blobAad(header: Uint8Array, encryptionContext: Readonly<Record<string, string>>): string {
  try {
    return toBase64(ciphertextBlobAad(header, encryptionContext));
  } catch (e) {
    if (e instanceof EnvelopeError) {
      throw new KmsError(ErrorCodes.VALIDATION, `The encryption context cannot be used: ${e.message}`);
    }
    throw e;
  }
}
