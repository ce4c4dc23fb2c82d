/**
 * Errors thrown by every parser and writer in `@symbolon/formats`.
 *
 * Messages are fixed texts: they never contain key material, plaintext, key ids or any other input bytes, so they
 * are safe to return to clients and to log.
 */

/**
 * Why a byte layout was refused.
 *
 * - `BAD_VERSION`: the format version byte is not one this library reads.
 * - `TRUNCATED`: the input is shorter than the layout requires (a field would run past the end).
 * - `TOO_LONG`: the input, or one of its fields, is longer than the format's maximum.
 * - `BAD_FIELD`: a field has the wrong type or a value outside its range (a zero key version, a malformed UUID,
 *   an unknown algorithm id, a non-string encryption context value, ...).
 * - `BAD_TAG`: authentication failed: an AEAD tag or a key commitment does not verify (wrong key or context, or
 *   modified bytes).
 */
export type EnvelopeErrorCode = 'BAD_VERSION' | 'TRUNCATED' | 'TOO_LONG' | 'BAD_FIELD' | 'BAD_TAG';

/** Every `EnvelopeErrorCode`, for exhaustive mappings (for example to the AWS error shape). */
export const ENVELOPE_ERROR_CODES: readonly EnvelopeErrorCode[] = Object.freeze([
  'BAD_VERSION',
  'TRUNCATED',
  'TOO_LONG',
  'BAD_FIELD',
  'BAD_TAG',
]);

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';

  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
