/**
 * A policy document that cannot be stored: the message names the statement and the element that is wrong, and is
 * safe to return to the caller (AWS answers it as MalformedPolicyDocumentException).
 */
export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyError';
}

/** Throws a MalformedPolicyError with `message` when `condition` is falsy. */
export function malformedUnless(condition: unknown, message: string): asserts condition {
  if (!condition) throw new MalformedPolicyError(message);
}
