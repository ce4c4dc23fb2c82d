/**
 * The SDK's one error type. `authorityId` names the authority that failed (decryption says which one); messages
 * never carry key material, plaintext or wrapped bytes.
 */
export type SdkErrorCode =
  /** An authority refused or failed to wrap or unwrap (its own error in `message`). */
  | 'AUTHORITY_FAILED'
  /** The envelope names an authority the reader was not given. */
  | 'AUTHORITY_MISSING'
  /** The configuration (scheme, authorities) is not usable. */
  | 'CONFIG'
  /** The envelope is not what the reader expects (another scheme, a missing context pair, an authority unused). */
  | 'UNEXPECTED_ENVELOPE'
  /** The envelope's bytes are not a valid envelope, or its body does not authenticate. */
  | 'INVALID_ENVELOPE'
  /** The object store refused or failed (putEnvelope / getEnvelope): its error's name and message. */
  | 'STORAGE';

export class SdkError extends Error {
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    readonly authorityId?: string,
  ) {
    super(message);
    this.name = 'SdkError';
  }
}

/** Visible precondition (STYLE.md): throws SdkError(code, message) unless `condition` holds. */
export function needs(condition: unknown, message: string, code: SdkErrorCode = 'CONFIG'): asserts condition {
  if (!condition) throw new SdkError(code, message);
}

/** The message of an error an authority threw, for AUTHORITY_FAILED (AWS errors carry name and message). */
export function causeOf(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}
