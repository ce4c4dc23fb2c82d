/**
 * Offline checks of rendered Kubernetes objects (the chart's spec uses them; there is no cluster to ask):
 * unknown fields against @kubernetes/client-node's generated models, the "restricted" Pod Security profile, and env
 * values that look like secrets. The model files are imported one by one: the package index pulls in a version of
 * undici that crashes on Node 20.20 (TOOLCHAIN.md).
 */

/** A rendered object, as parsed from YAML. */
export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string };

interface Attribute {
  baseName: string;
  type: string;
}
interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

/** Client-node model of each kind the chart renders (ServiceMonitor is a CRD: no model). */
export const MODEL_OF_KIND: Readonly<Record<string, string>> = {
  ConfigMap: 'V1ConfigMap',
  Deployment: 'V1Deployment',
  Ingress: 'V1Ingress',
  Job: 'V1Job',
  NetworkPolicy: 'V1NetworkPolicy',
  Pod: 'V1Pod',
  PersistentVolumeClaim: 'V1PersistentVolumeClaim',
  PodDisruptionBudget: 'V1PodDisruptionBudget',
  Service: 'V1Service',
  ServiceAccount: 'V1ServiceAccount',
  StatefulSet: 'V1StatefulSet',
};

/** Types the generated models treat as leaves: nothing below them to check. */
const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);
const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const MODEL_NAME = /^[A-Za-z0-9]+$/;

const models = new Map<string, Map<string, string>>();

async function attributesOf(model: string): Promise<Map<string, string>> {
  const cached = models.get(model);
  if (cached) return cached;
  /* Precondition: a model name is a bare identifier (it becomes part of a module path). */
  needs(MODEL_NAME.test(model), 'a model name is a bare identifier');
  const mod = (await import(`@kubernetes/client-node/dist/gen/models/${model}.js`)) as Record<
    string,
    ModelClass | undefined
  >;
  const cls = mod[model];
  /* Precondition: a model file exports its model class under the model's name. */
  needs(cls !== undefined, 'a model file exports its model class');
  const attributes = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  models.set(model, attributes);
  return attributes;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Paths of the fields of `value` that the model `type` (a client-node type string such as `V1Deployment`,
 * `Array<V1Container>` or `{ [key: string]: string; }`) does not have, e.g. `spec.template.spec.containers[0].protcol`.
 */
export async function unknownFields(value: unknown, type: string, path = ''): Promise<string[]> {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return [];
  const array = ARRAY.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [];
    const nested = await Promise.all(value.map((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)));
    return nested.flat();
  }
  const map = MAP.exec(type);
  if (map) {
    if (!isRecord(value)) return [];
    const nested = await Promise.all(
      Object.entries(value).map(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`)),
    );
    return nested.flat();
  }
  if (!isRecord(value)) return [];
  const attributes = await attributesOf(type);
  const found: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const attributeType = attributes.get(key);
    if (attributeType === undefined) found.push(at);
    else found.push(...(await unknownFields(v, attributeType, at)));
  }
  return found;
}

/** The pod template of a workload (or the spec of a Pod), with its labels. */
export function podTemplateOf(
  obj: K8sObject,
): { labels: Record<string, string>; spec: Record<string, unknown> } | undefined {
  const spec = obj['spec'] as Record<string, unknown> | undefined;
  if (obj.kind === 'Pod') {
    const metadata = obj['metadata'] as { labels?: Record<string, string> };
    return { labels: metadata.labels ?? {}, spec: spec ?? {} };
  }
  if (['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'ReplicaSet'].includes(obj.kind)) {
    const template = spec?.['template'] as
      { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> } | undefined;
    if (template) return { labels: template.metadata?.labels ?? {}, spec: template.spec };
  }
  return undefined;
}

interface Container {
  name: string;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
  volumeMounts?: { name: string; mountPath: string }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { hostPort?: number }[];
}

function containersOf(spec: Record<string, unknown>): Container[] {
  return [
    ...((spec['initContainers'] as Container[] | undefined) ?? []),
    ...((spec['containers'] as Container[] | undefined) ?? []),
  ];
}

/** Volume types the "restricted" profile allows. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * What in a pod spec breaks the Kubernetes "restricted" Pod Security profile, or this chart's own rules on top of it
 * (read-only root file system with an emptyDir on /tmp, no service account token); empty when it meets them.
 */
export function restrictedViolations(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const pod = (spec['securityContext'] ?? {}) as NonNullable<Container['securityContext']>;
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[host] === true) problems.push(`pod: ${host}`);
  }
  if (spec['automountServiceAccountToken'] !== false) problems.push('pod: service account token mounted');
  if (pod.seccompProfile?.type !== 'RuntimeDefault')
    problems.push('pod: seccompProfile is not RuntimeDefault');
  const volumes = (spec['volumes'] as Record<string, unknown>[] | undefined) ?? [];
  const emptyDirs = new Set<string>();
  for (const volume of volumes) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    for (const t of types)
      if (!RESTRICTED_VOLUMES.has(t)) problems.push(`volume ${String(volume['name'])}: ${t}`);
    if (types.includes('emptyDir')) emptyDirs.add(volume['name'] as string);
  }
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) {
      problems.push(`${where}: runAsUser is not a numeric non-root uid`);
    }
    if (sc.privileged === true) problems.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${where}: capabilities do not drop ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) problems.push(`${where}: adds capabilities ${added.join(', ')}`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${where}: no seccomp profile`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root file system is writable`);
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
    if (!tmp || !emptyDirs.has(tmp.name)) problems.push(`${where}: /tmp is not an emptyDir`);
    if ((c.ports ?? []).some((p) => p.hostPort !== undefined)) problems.push(`${where}: hostPort`);
  }
  return problems;
}

/** Env names whose value is a secret: such variables must come from a Secret (valueFrom), never a literal value. */
const SECRET_NAME = /(PIN|PASSWORD|PASSWD|SECRET|SEED|PRIVATE_KEY|DB_URL|CREDENTIALS|API_KEY)$/;
/** Literal values that are secrets whatever their name: nkey seeds, PEM keys, URLs with a password, AWS keys. */
const SECRET_VALUES = [
  /^S[UNOACPX][A-Z2-7]{56}$/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/,
  /^(AKIA|ASIA)[A-Z0-9]{16}$/,
];

/** `container/NAME` of every env entry of a pod spec with a literal value that is, or is named like, a secret. */
export function secretLikeEnv(spec: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const c of containersOf(spec)) {
    for (const e of c.env ?? []) {
      if (e.value === undefined) continue;
      if (SECRET_NAME.test(e.name) || SECRET_VALUES.some((re) => re.test(e.value!))) {
        found.push(`${c.name}/${e.name}`);
      }
    }
  }
  return found;
}

/** Whether every label of a selector's matchLabels is on the pod (an empty selector selects every pod). */
export function selects(
  matchLabels: Record<string, string> | undefined,
  podLabels: Record<string, string>,
): boolean {
  return Object.entries(matchLabels ?? {}).every(([k, v]) => podLabels[k] === v);
}

function needs(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
