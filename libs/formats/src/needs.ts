import { EnvelopeError, type EnvelopeErrorCode } from './errors.js';

/**
 * Visible precondition: throws an `EnvelopeError` carrying `message` when `condition` is falsy.
 *
 * Write each call under a `Precondition:` block comment, with a literal message; every message must have a unit
 * test whose name is exactly that text (`scripts/check-preconditions.mjs` enforces it). Messages are fixed texts:
 * never build them from input values.
 *
 * @param code the error code to carry; `BAD_FIELD` unless the failure is a version, truncation or length problem.
 */
export function needs(
  condition: unknown,
  message: string,
  code: EnvelopeErrorCode = 'BAD_FIELD',
): asserts condition {
  if (!condition) {
    throw new EnvelopeError(code, message);
  }
}
