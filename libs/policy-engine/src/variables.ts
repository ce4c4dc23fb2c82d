import type { PreparedRequest } from './context.js';

/** `${name}` or `${name, 'default'}`; `${*}`, `${?}` and `${$}` stand for the literal characters. */
const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/**
 * A `*` or `?` that must stay literal in a wildcard pattern (it came from `${*}` / `${?}` or from a request value).
 * Private-use characters: a policy may only hold U+0009..U+00FF, so they never occur in policy text.
 */
export const LITERAL_STAR = '\uE000';
export const LITERAL_QUESTION = '\uE001';

export function hasVariables(text: string): boolean {
  return text.includes('${');
}

/** Marks a value's own `*` and `?` as literal. */
function literalWildcards(value: string): string {
  return value.replaceAll('*', LITERAL_STAR).replaceAll('?', LITERAL_QUESTION);
}

/** Turns the literal marks back into `*` and `?`, for exact comparisons. */
export function unmark(text: string): string {
  return text.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

/**
 * Replaces policy variables by the request's values; literal `*` / `?` come out marked (see LITERAL_STAR). A
 * variable the request does not carry (and that has no default), or that has several values, makes the whole text
 * unusable: undefined, and the element does not match, as AWS does.
 */
export function substitute(text: string, req: PreparedRequest): string | undefined {
  let missing = false;
  const out = text.replace(VARIABLE, (_all, inner: string) => {
    const name = inner.trim();
    if (name === '*') return LITERAL_STAR;
    if (name === '?') return LITERAL_QUESTION;
    if (name === '$') return '$';
    const withDefault = WITH_DEFAULT.exec(inner);
    const key = (withDefault ? withDefault[1]! : name).toLowerCase();
    const values = req.values(key);
    if (values !== undefined && values.length === 1) return literalWildcards(values[0]!);
    if (withDefault && values === undefined) return literalWildcards(withDefault[2]!);
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}
