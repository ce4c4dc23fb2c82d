// The AWS access policy language for KMS: compile (validate) policy documents, and decide requests against a key
// policy, the caller's identity policies and grants. Pure: no I/O.
export { type ContextValue, type EvaluationRequest, accountOfPrincipal } from './context.js';
export { OPERATOR_NAMES } from './conditions.js';
export {
  type CompiledPolicy,
  type CompiledStatement,
  EXPLICIT_ONLY_ACTIONS,
  MAX_POLICY_BYTES,
  type PolicyKind,
  compilePolicy,
} from './document.js';
export { MalformedPolicyError } from './errors.js';
export { type Decision, type PolicySet, evaluate } from './evaluate.js';
export {
  GRANT_OPERATIONS,
  type GrantConstraints,
  type GrantOperation,
  type GrantRule,
  grantCovers,
} from './grants.js';
