/** A failed precondition is a programming error in the caller, not a client error: a plain Error (STYLE.md). */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}
