/**
 * Shape checks for what arrives over the network: a proposal, its change and its signatures. Each returns the first
 * problem (naming the field, never its value) or undefined. Objects must have exactly the documented fields, so that
 * what is signed is exactly what is applied.
 */
import { DOMAIN_PROPOSAL_TYPE } from './proposal.js';
import { ChangeKinds } from './rules.js';

export const MAX_SIGNATURES = 32;
const MAX_ID = 256;
const MAX_KEY_BASE64 = 1024;
const MAX_ITEMS = 64;

type Problem = string | undefined;

function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  // A plain object of any realm (structuredClone and vm contexts make objects on another Object.prototype).
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function fields(v: unknown, path: string, required: string[], optional: string[] = []): Problem {
  if (!isRecord(v)) return `${path} is not an object`;
  for (const k of required) if (!Object.hasOwn(v, k)) return `${path}.${k} is missing`;
  const allowed = new Set([...required, ...optional]);
  const keys = Object.keys(v);
  if (keys.some((k) => !allowed.has(k))) return `${path} has an unexpected field`;
  // JSON cannot carry undefined, and canonical JSON refuses it: a present field has a value.
  return keys.some((k) => v[k] === undefined) ? `${path} has an undefined field` : undefined;
}

function text(v: unknown, path: string, max = MAX_ID): Problem {
  return typeof v === 'string' && v.length > 0 && v.length <= max
    ? undefined
    : `${path} is not a string of 1..${max}`;
}

function count(v: unknown, path: string, min: number): Problem {
  return Number.isSafeInteger(v) && (v as number) >= min ? undefined : `${path} is not an integer >= ${min}`;
}

function list(v: unknown, path: string, max = MAX_ITEMS): Problem {
  return Array.isArray(v) && v.length <= max ? undefined : `${path} is not a list of at most ${max}`;
}

/** Canonical base64 (what Buffer writes), optionally of an exact byte length. */
export function isBase64(v: unknown, bytes?: number): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  const decoded = Buffer.from(v, 'base64');
  return decoded.toString('base64') === v && (bytes === undefined || decoded.length === bytes);
}

function key(v: unknown, path: string): Problem {
  return typeof v === 'string' && v.length <= MAX_KEY_BASE64 && isBase64(v)
    ? undefined
    : `${path} is not base64`;
}

function first(...checks: (() => Problem)[]): Problem {
  for (const check of checks) {
    const problem = check();
    if (problem) return problem;
  }
  return undefined;
}

function member(v: unknown, path: string): Problem {
  return first(
    () => fields(v, path, ['nodeId', 'tokenLabel'], ['identityPublicKey', 'signingPublicKey', 'labels']),
    () => {
      const m = v as Record<string, unknown>;
      return first(
        () => text(m['nodeId'], `${path}.nodeId`),
        () => text(m['tokenLabel'], `${path}.tokenLabel`),
        () =>
          m['identityPublicKey'] === undefined
            ? undefined
            : key(m['identityPublicKey'], `${path}.identityPublicKey`),
        () =>
          m['signingPublicKey'] === undefined
            ? undefined
            : key(m['signingPublicKey'], `${path}.signingPublicKey`),
        () => (m['labels'] === undefined ? undefined : labels(m['labels'], `${path}.labels`)),
      );
    },
  );
}

function checkValue(v: unknown, path: string): Problem {
  return typeof v === 'string' && /^[0-9a-f]{32}$/.test(v)
    ? undefined
    : `${path} is not 32 lowercase hex digits`;
}

function checkValues(v: unknown, path: string): Problem {
  return first(
    () => list(v, path),
    ...(Array.isArray(v) ? v : []).map((e: unknown, i) => () => {
      const at = `${path}[${i}]`;
      return first(
        () => fields(e, at, ['generation', 'keyCheckValue']),
        () => count((e as Record<string, unknown>)['generation'], `${at}.generation`, 1),
        () => checkValue((e as Record<string, unknown>)['keyCheckValue'], `${at}.keyCheckValue`),
      );
    }),
  );
}

function labels(v: unknown, path: string): Problem {
  if (!isRecord(v)) return `${path} is not an object`;
  const entries = Object.entries(v);
  if (entries.length > MAX_ITEMS) return `${path} has more than ${MAX_ITEMS} labels`;
  for (const [k, value] of entries) {
    const problem = text(k, `${path} key`) ?? text(value, `${path}.${k}`);
    if (problem) return problem;
  }
  return undefined;
}

function operators(v: unknown, path: string): Problem {
  return first(
    () => list(v, path),
    ...(Array.isArray(v) ? v : []).map((o: unknown, i) => () => {
      const at = `${path}[${i}]`;
      return first(
        () => fields(o, at, ['id', 'publicKey']),
        () => text((o as Record<string, unknown>)['id'], `${at}.id`),
        () => key((o as Record<string, unknown>)['publicKey'], `${at}.publicKey`),
      );
    }),
  );
}

/** The structure of rules (lists, strings, integers); what they mean is checkRules' business. */
function rules(v: unknown, path: string): Problem {
  if (!isRecord(v)) return `${path} is not an object`;
  for (const [kind, rule] of Object.entries(v)) {
    const at = `${path}.${kind}`;
    const problem =
      fields(rule, at, ['alternatives']) ??
      list((rule as Record<string, unknown>)['alternatives'], `${at}.alternatives`);
    if (problem) return problem;
    const alternatives = (rule as { alternatives: unknown[] }).alternatives;
    for (const [i, alt] of alternatives.entries()) {
      const where = `${at}.alternatives[${i}]`;
      const a = alt as Record<string, unknown>;
      const altProblem = first(
        () => fields(alt, where, ['operators', 'threshold']),
        () => list(a['operators'], `${where}.operators`),
        () =>
          (a['operators'] as unknown[]).map((id, j) => text(id, `${where}.operators[${j}]`)).find(Boolean),
        () => count(a['threshold'], `${where}.threshold`, 0),
      );
      if (altProblem) return altProblem;
    }
  }
  return undefined;
}

export function changeShapeProblem(v: unknown): Problem {
  if (!isRecord(v)) return 'change is not an object';
  const c = v;
  switch (c['kind']) {
    case 'add-member':
      return first(
        () => fields(c, 'change', ['kind', 'member'], ['keyCheckValues']),
        () => member(c['member'], 'change.member'),
        () =>
          c['keyCheckValues'] === undefined
            ? undefined
            : checkValues(c['keyCheckValues'], 'change.keyCheckValues'),
      );
    case 'remove-member':
      return first(
        () => fields(c, 'change', ['kind', 'nodeId']),
        () => text(c['nodeId'], 'change.nodeId'),
      );
    case 'rotate-domain-key':
      return first(
        () => fields(c, 'change', ['kind', 'generation'], ['origin', 'keyCheckValue']),
        () => count(c['generation'], 'change.generation', 1),
        () => (c['origin'] === undefined ? undefined : text(c['origin'], 'change.origin')),
        () =>
          c['keyCheckValue'] === undefined
            ? undefined
            : checkValue(c['keyCheckValue'], 'change.keyCheckValue'),
        () =>
          (c['origin'] === undefined) === (c['keyCheckValue'] === undefined)
            ? undefined
            : 'change.origin and change.keyCheckValue go together',
      );
    case 'destroy-generation':
      return first(
        () => fields(c, 'change', ['kind', 'generation']),
        () => count(c['generation'], 'change.generation', 1),
      );
    case 'set-operators':
      return first(
        () => fields(c, 'change', ['kind', 'operators']),
        () => operators(c['operators'], 'change.operators'),
      );
    case 'set-rules':
      return first(
        () => fields(c, 'change', ['kind', 'rules']),
        () => rules(c['rules'], 'change.rules'),
      );
    default:
      return `change.kind is not one of ${ChangeKinds.join(', ')}`;
  }
}

export function proposalShapeProblem(v: unknown): Problem {
  return first(
    () => fields(v, 'proposal', ['type', 'domainId', 'epoch', 'change', 'expiresAt', 'nonce', 'stateDigest']),
    () => {
      const p = v as Record<string, unknown>;
      return first(
        () =>
          p['type'] === DOMAIN_PROPOSAL_TYPE ? undefined : `proposal.type is not ${DOMAIN_PROPOSAL_TYPE}`,
        () => text(p['domainId'], 'proposal.domainId'),
        () => count(p['epoch'], 'proposal.epoch', 0),
        () => changeShapeProblem(p['change']),
        () => {
          const at = typeof p['expiresAt'] === 'string' ? new Date(p['expiresAt']) : undefined;
          return at && !Number.isNaN(at.getTime()) && at.toISOString() === p['expiresAt']
            ? undefined
            : 'proposal.expiresAt is not an ISO time as toISOString writes it';
        },
        () => (isBase64(p['nonce'], 16) ? undefined : 'proposal.nonce is not base64 of 16 bytes'),
        () =>
          typeof p['stateDigest'] === 'string' && /^[0-9a-f]{64}$/.test(p['stateDigest'])
            ? undefined
            : 'proposal.stateDigest is not 64 lowercase hex digits',
      );
    },
  );
}

export function signaturesShapeProblem(v: unknown): Problem {
  return first(
    () => list(v, 'signatures', MAX_SIGNATURES),
    ...(Array.isArray(v) ? v : []).map((s: unknown, i) => () => {
      const at = `signatures[${i}]`;
      return first(
        () => fields(s, at, ['operatorId', 'signature']),
        () => text((s as Record<string, unknown>)['operatorId'], `${at}.operatorId`),
        () => text((s as Record<string, unknown>)['signature'], `${at}.signature`, MAX_KEY_BASE64),
      );
    }),
  );
}
