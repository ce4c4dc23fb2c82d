/** A caller's mistake in building a rule or a proposal. Messages name the field, never a key or signature. */
export class QuorumError extends Error {
  override readonly name = 'QuorumError';
}

/**
 * Visible precondition: throws a `QuorumError` carrying `message` when `condition` is falsy.
 *
 * Write each call under a `Precondition:` block comment, with a literal message; every message must have a unit
 * test whose name is exactly that text (`scripts/check-preconditions.mjs` enforces it).
 */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new QuorumError(message);
}
