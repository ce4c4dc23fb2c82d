/** A domain the coordinator makes on its first start with it: its one genesis node; other tokens join it by quorum. */
export interface DomainPlan {
  name: string;
  node: string;
  tokenLabel: string;
  labels: Record<string, string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NODE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The domains to make, from SYMBOLON_DOMAINS (a JSON array of `{name, node, tokenLabel?, labels?}`, the first the
 * default) or, without it, one domain named `default` from SYMBOLON_HSM_NODES / SYMBOLON_HSM_TOKEN_LABELS. Throws a
 * message that names the bad entry: the coordinator does not start on a plan it cannot follow.
 */
export function domainPlans(config: {
  SYMBOLON_DOMAINS: string;
  SYMBOLON_HSM_NODES: string;
  SYMBOLON_HSM_TOKEN_LABELS: string;
}): DomainPlan[] {
  if (config.SYMBOLON_DOMAINS.trim() === '') {
    const nodes = config.SYMBOLON_HSM_NODES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (nodes.length !== 1) {
      throw new Error(
        `a development domain starts with exactly one hsm node, not ${nodes.length}: set SYMBOLON_HSM_NODES`,
      );
    }
    const tokenLabel = config.SYMBOLON_HSM_TOKEN_LABELS.split(',')[0]?.trim() || nodes[0]!;
    return [{ name: 'default', node: nodes[0]!, tokenLabel, labels: {} }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.SYMBOLON_DOMAINS);
  } catch {
    throw new Error('SYMBOLON_DOMAINS is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 64) {
    throw new Error('SYMBOLON_DOMAINS must be a list of 1 to 64 domains');
  }
  const plans = parsed.map((entry: unknown, i): DomainPlan => {
    const where = `SYMBOLON_DOMAINS[${i}]`;
    if (!isRecord(entry)) throw new Error(`${where} is not an object`);
    const { name, node, tokenLabel, labels = {} } = entry;
    if (typeof name !== 'string' || !NAME.test(name))
      throw new Error(`${where}.name must match ${NAME.source}`);
    if (typeof node !== 'string' || !NODE.test(node))
      throw new Error(`${where}.node must match ${NODE.source}`);
    if (
      tokenLabel !== undefined &&
      (typeof tokenLabel !== 'string' || tokenLabel.length === 0 || tokenLabel.length > 32)
    ) {
      throw new Error(`${where}.tokenLabel must be 1 to 32 characters`);
    }
    if (!isRecord(labels) || Object.keys(labels).length > 16) {
      throw new Error(`${where}.labels must be an object of at most 16 labels`);
    }
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k) || typeof v !== 'string' || v.length > 128) {
        throw new Error(`${where}.labels.${k.slice(0, 64)} must be a string of at most 128 characters`);
      }
    }
    return { name, node, tokenLabel: tokenLabel ?? node, labels: labels as Record<string, string> };
  });
  for (const key of ['name', 'node'] as const) {
    const seen = new Set<string>();
    for (const p of plans) {
      if (seen.has(p[key])) throw new Error(`SYMBOLON_DOMAINS names ${key} ${p[key]} twice`);
      seen.add(p[key]);
    }
  }
  return plans;
}
