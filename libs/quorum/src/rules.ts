import { needs } from './needs.js';

/** The kinds of domain change; each has its own quorum rule (DESIGN.md, "Domains and quorum"). */
export const ChangeKinds = [
  'add-member',
  'remove-member',
  'rotate-domain-key',
  'destroy-generation',
  'set-operators',
  'set-rules',
] as const;
export type ChangeKind = (typeof ChangeKinds)[number];

/** `threshold` distinct operators out of `operators`. */
export interface QuorumAlternative {
  operators: string[];
  threshold: number;
}

/**
 * Any one alternative suffices: `[{ operators: [A, B, C], threshold: 2 }]` is any 2 of {A, B, C};
 * `[{ operators: [A, D], threshold: 2 }, { operators: [A, B, C], threshold: 2 }]` is A and D together, or any 2 of
 * {A, B, C}.
 */
export interface QuorumRule {
  alternatives: QuorumAlternative[];
}

export type QuorumRules = Record<ChangeKind, QuorumRule>;

/** True when some alternative has at least `threshold` of its operators among the signers (each counted once). */
export function ruleSatisfied(rule: QuorumRule, signers: Iterable<string>): boolean {
  const signed = new Set(signers);
  return rule.alternatives.some(
    (alt) =>
      alt.threshold >= 1 && new Set(alt.operators.filter((id) => signed.has(id))).size >= alt.threshold,
  );
}

/** k of n operators as a rule with one alternative. */
export function thresholdRule(ids: readonly string[], k: number): QuorumRule {
  /* Precondition: a threshold rule names distinct operators. */
  needs(new Set(ids).size === ids.length, 'threshold rule operators must be distinct');
  /* Precondition: k is an integer in 1..n. */
  needs(
    Number.isInteger(k) && k >= 1 && k <= ids.length,
    'threshold must be an integer in 1..number of operators',
  );
  return { alternatives: [{ operators: [...ids], threshold: k }] };
}

/** The same rule for every kind of change. */
export function uniformRules(rule: QuorumRule): QuorumRules {
  return Object.fromEntries(ChangeKinds.map((kind) => [kind, rule])) as QuorumRules;
}

/**
 * The problems that make `rules` unusable with these operators, empty when there are none: every kind present and
 * no other, at least one alternative per kind, no empty alternative, distinct and known operators in each, threshold
 * an integer in 1..(operators in the alternative). A rule that passes can always be met by the known operators.
 */
export function checkRules(rules: QuorumRules, operators: readonly { id: string }[]): string[] {
  const known = new Set(operators.map((o) => o.id));
  const problems: string[] = [];
  for (const kind of Object.keys(rules)) {
    if (!(ChangeKinds as readonly string[]).includes(kind)) problems.push(`unknown change kind ${kind}`);
  }
  for (const kind of ChangeKinds) {
    const rule = Object.hasOwn(rules, kind) ? rules[kind] : undefined;
    if (!rule) {
      problems.push(`${kind}: no rule`);
      continue;
    }
    if (rule.alternatives.length === 0) problems.push(`${kind}: no alternative`);
    rule.alternatives.forEach((alt, i) => {
      const where = `${kind}: alternative ${i + 1}`;
      const n = alt.operators.length;
      if (n === 0) problems.push(`${where} has no operators`);
      if (new Set(alt.operators).size !== n) problems.push(`${where} names an operator twice`);
      for (const id of alt.operators) {
        if (!known.has(id)) problems.push(`${where} names unknown operator ${id}`);
      }
      if (n > 0 && !(Number.isInteger(alt.threshold) && alt.threshold >= 1 && alt.threshold <= n)) {
        problems.push(`${where} has threshold ${alt.threshold}, not in 1..${n}`);
      }
    });
  }
  return problems;
}

/** A rule for messages: `2 of {A, B, C} or 2 of {A, D}`. */
export function describeRule(rule: QuorumRule): string {
  if (rule.alternatives.length === 0) return 'nothing (no alternative)';
  return rule.alternatives.map((alt) => `${alt.threshold} of {${alt.operators.join(', ')}}`).join(' or ');
}
