/** A document or export that does not have the required shape. Messages name the field, never its value. */
export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
}

/**
 * Visible precondition: throws an `EvidenceError` carrying `message` when `condition` is falsy.
 *
 * Write each call under a `Precondition:` block comment, with a literal message; every message must have a unit
 * test whose name is exactly that text (`scripts/check-preconditions.mjs` enforces it).
 */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new EvidenceError(message);
}
