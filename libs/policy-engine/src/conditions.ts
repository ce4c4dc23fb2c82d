import type { PreparedRequest } from './context.js';
import { malformedUnless } from './errors.js';
import { type IpRange, ipInRange, parseIpRange } from './ip.js';
import { hasVariables, substitute, unmark } from './variables.js';
import { wildcardMatcher } from './wildcard.js';

/** One `Operator: { key: values }` pair of a Condition block, compiled. */
export interface CompiledCondition {
  readonly operator: string;
  /** Lower-case condition key name. */
  readonly key: string;
  test(req: PreparedRequest): boolean;
}

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface OperatorSpec {
  family: Family;
  negated: boolean;
  /** Compares one request value with one policy value (the positive form). */
  compare?: (requestValue: string, policyValue: string) => boolean;
  /** Policy values may carry wildcards and variables. */
  patterns?: 'wildcard' | 'exact' | 'none';
  ignoreCase?: boolean;
}

const num = (s: string): number =>
  /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : NaN;

/** The W3C profile of ISO 8601 that AWS documents for Date operators: a date, optionally a time and a zone. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** ISO 8601 or epoch seconds; NaN when it is neither (or names a day the calendar does not have). */
export function parseDate(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const m = ISO_DATE.exec(s);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return NaN;
  return Date.parse(s);
}

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: { family: 'string', negated: false, patterns: 'exact' },
  StringNotEquals: { family: 'string', negated: true, patterns: 'exact' },
  StringEqualsIgnoreCase: { family: 'string', negated: false, patterns: 'exact', ignoreCase: true },
  StringNotEqualsIgnoreCase: { family: 'string', negated: true, patterns: 'exact', ignoreCase: true },
  StringLike: { family: 'string', negated: false, patterns: 'wildcard' },
  StringNotLike: { family: 'string', negated: true, patterns: 'wildcard' },
  NumericEquals: { family: 'numeric', negated: false, compare: (a, b) => num(a) === num(b) },
  NumericNotEquals: { family: 'numeric', negated: true, compare: (a, b) => num(a) === num(b) },
  NumericLessThan: { family: 'numeric', negated: false, compare: (a, b) => num(a) < num(b) },
  NumericLessThanEquals: { family: 'numeric', negated: false, compare: (a, b) => num(a) <= num(b) },
  NumericGreaterThan: { family: 'numeric', negated: false, compare: (a, b) => num(a) > num(b) },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, compare: (a, b) => num(a) >= num(b) },
  DateEquals: { family: 'date', negated: false, compare: (a, b) => parseDate(a) === parseDate(b) },
  DateNotEquals: { family: 'date', negated: true, compare: (a, b) => parseDate(a) === parseDate(b) },
  DateLessThan: { family: 'date', negated: false, compare: (a, b) => parseDate(a) < parseDate(b) },
  DateLessThanEquals: { family: 'date', negated: false, compare: (a, b) => parseDate(a) <= parseDate(b) },
  DateGreaterThan: { family: 'date', negated: false, compare: (a, b) => parseDate(a) > parseDate(b) },
  DateGreaterThanEquals: { family: 'date', negated: false, compare: (a, b) => parseDate(a) >= parseDate(b) },
  Bool: { family: 'bool', negated: false, compare: (a, b) => a.toLowerCase() === b.toLowerCase() },
  BinaryEquals: { family: 'binary', negated: false, compare: (a, b) => a === b },
  IpAddress: { family: 'ip', negated: false },
  NotIpAddress: { family: 'ip', negated: true },
  ArnEquals: { family: 'arn', negated: false, patterns: 'wildcard' },
  ArnLike: { family: 'arn', negated: false, patterns: 'wildcard' },
  ArnNotEquals: { family: 'arn', negated: true, patterns: 'wildcard' },
  ArnNotLike: { family: 'arn', negated: true, patterns: 'wildcard' },
  Null: { family: 'null', negated: false },
};

/** Every operator name the language knows (without qualifiers or IfExists). */
export const OPERATOR_NAMES: readonly string[] = Object.freeze(Object.keys(OPERATORS));

const ARN_PARTS = 6;

/** The operator families whose values may hold policy variables (AWS's condition operator reference). */
const VARIABLE_FAMILIES = new Set<Family>(['string', 'bool', 'arn']);

/** ARN comparison as AWS does it: the six colon-separated parts compared one by one, each with wildcards. */
function arnMatcher(pattern: string): (value: string) => boolean {
  const parts = splitArn(pattern);
  if (parts === undefined) return () => false;
  const matchers = parts.map((p) => wildcardMatcher(p, false));
  return (value) => {
    const got = splitArn(value);
    return got !== undefined && matchers.every((m, i) => m(got[i]!));
  };
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < ARN_PARTS) return arn === '*' ? ['*', '*', '*', '*', '*', '*'] : undefined;
  return [...parts.slice(0, ARN_PARTS - 1), parts.slice(ARN_PARTS - 1).join(':')];
}

function valueMatcher(spec: OperatorSpec, policyValue: string): (requestValue: string) => boolean {
  if (spec.family === 'arn') return arnMatcher(policyValue);
  if (spec.patterns === 'wildcard') return wildcardMatcher(policyValue, false);
  if (spec.patterns === 'exact') {
    const exact = unmark(policyValue);
    if (spec.ignoreCase) {
      const lower = exact.toLowerCase();
      return (v) => v.toLowerCase() === lower;
    }
    return (v) => v === exact;
  }
  const compare = spec.compare!;
  return (v) => compare(v, policyValue);
}

function checkValue(family: Family, operator: string, key: string, value: string, where: string): void {
  const what = `${where}: ${operator} on ${key}`;
  if (family === 'numeric')
    malformedUnless(!Number.isNaN(num(value)), `${what} needs numbers, got "${value}"`);
  if (family === 'date')
    malformedUnless(!Number.isNaN(parseDate(value)), `${what} needs dates, got "${value}"`);
  if (family === 'bool' || family === 'null') {
    malformedUnless(/^(true|false)$/i.test(value), `${what} needs true or false, got "${value}"`);
  }
  if (family === 'ip')
    malformedUnless(parseIpRange(value), `${what} needs IP addresses or CIDR ranges, got "${value}"`);
}

/**
 * Compiles the Condition element of one statement. `where` names the statement in error messages; `variables`
 * is false for policies of Version 2008-10-17, where `${...}` is literal text.
 */
export function compileConditions(block: unknown, where: string, variables: boolean): CompiledCondition[] {
  malformedUnless(
    typeof block === 'object' && block !== null && !Array.isArray(block),
    `${where}: Condition must be an object of operators`,
  );
  const out: CompiledCondition[] = [];
  for (const [operatorText, keys] of Object.entries(block)) {
    const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operatorText);
    const spec = m ? OPERATORS[m[2]!] : undefined;
    malformedUnless(m && spec, `${where}: unknown condition operator ${operatorText}`);
    const qualifier = m[1] as 'ForAnyValue' | 'ForAllValues' | undefined;
    const ifExists = m[3] !== undefined;
    malformedUnless(!(ifExists && spec.family === 'null'), `${where}: Null cannot take IfExists`);
    malformedUnless(
      typeof keys === 'object' && keys !== null && !Array.isArray(keys) && Object.keys(keys).length > 0,
      `${where}: ${operatorText} must map condition keys to values`,
    );
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      malformedUnless(
        /^[A-Za-z0-9-]+:\S+$/.test(key),
        `${where}: ${operatorText} has an invalid condition key "${key}"`,
      );
      const list = Array.isArray(raw) ? raw : [raw];
      malformedUnless(
        list.length > 0 && list.every((v) => ['string', 'number', 'boolean'].includes(typeof v)),
        `${where}: ${operatorText} on ${key} needs a string, number or boolean, or a non-empty list of them`,
      );
      const values = list.map(String);
      // AWS takes policy variables only in the String, Bool and ARN operators; elsewhere `${...}` is a plain value.
      const withVariables = variables && VARIABLE_FAMILIES.has(spec.family);
      for (const v of values) {
        if (!(withVariables && hasVariables(v))) checkValue(spec.family, operatorText, key, v, where);
      }
      out.push(
        compileOne(operatorText, key.toLowerCase(), spec, values, {
          qualifier,
          ifExists,
          variables: withVariables,
        }),
      );
    }
  }
  return out;
}

function compileOne(
  operator: string,
  key: string,
  spec: OperatorSpec,
  values: string[],
  opts: { qualifier?: 'ForAnyValue' | 'ForAllValues'; ifExists: boolean; variables: boolean },
): CompiledCondition {
  if (spec.family === 'null') {
    const wantsAbsent = values.map((v) => v.toLowerCase() === 'true');
    return { operator, key, test: (req) => wantsAbsent.includes(req.values(key) === undefined) };
  }
  const ranges: IpRange[] = spec.family === 'ip' ? values.map((v) => parseIpRange(v)!) : [];
  const dynamic = opts.variables && spec.family !== 'ip' && values.some(hasVariables);
  const staticMatchers = dynamic ? [] : values.map((v) => valueMatcher(spec, v));
  const matchersFor = (req: PreparedRequest): ((v: string) => boolean)[] => {
    if (spec.family === 'ip') return ranges.map((r) => (v: string) => ipInRange(v, r));
    if (!dynamic) return staticMatchers;
    const out: ((v: string) => boolean)[] = [];
    for (const v of values) {
      const resolved = substitute(v, req);
      if (resolved !== undefined) out.push(valueMatcher(spec, resolved));
    }
    return out;
  };
  return {
    operator,
    key,
    test(req) {
      const requestValues = req.values(key);
      if (requestValues === undefined) {
        if (opts.qualifier === 'ForAllValues') return true;
        if (opts.qualifier === 'ForAnyValue') return false;
        return opts.ifExists || spec.negated;
      }
      const matchers = matchersFor(req);
      const one = (v: string): boolean => {
        const hit = matchers.some((m) => m(v));
        return spec.negated ? !hit : hit;
      };
      return opts.qualifier === 'ForAllValues' ? requestValues.every(one) : requestValues.some(one);
    },
  };
}
