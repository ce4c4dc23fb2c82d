import { LITERAL_QUESTION, LITERAL_STAR } from './variables.js';

/**
 * IAM wildcards: `*` matches any run of characters (including none), `?` exactly one; a `*` or `?` marked literal
 * (LITERAL_STAR / LITERAL_QUESTION, from a policy variable) matches itself. Everything else is literal.
 */
export function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else if (ch === LITERAL_STAR) source += '\\*';
    else if (ch === LITERAL_QUESTION) source += '\\?';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&'); // `\-` is no valid escape under the u flag
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u');
}

/** A matcher for a pattern: plain comparison when it has no wildcard, a RegExp otherwise. */
export function wildcardMatcher(pattern: string, ignoreCase: boolean): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (!/[*?\uE000\uE001]/u.test(pattern)) {
    if (!ignoreCase) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  const re = wildcardRegExp(pattern, ignoreCase);
  return (value) => re.test(value);
}
