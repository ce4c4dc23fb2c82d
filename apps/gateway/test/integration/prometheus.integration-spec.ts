/**
 * The Grafana dashboard against a real Prometheus scraping the running platform: every service is scraped and up,
 * and every metric name the dashboard queries exists once the platform has served some requests.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '@symbolon/platform';
import { REPO_ROOT, type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { callAdmin } from '../../../cli/src/admin-client.js';

jest.setTimeout(240_000);

const PROMETHEUS = '/usr/bin/prometheus';
const DASHBOARD = join(REPO_ROOT, 'deploy', 'grafana', 'symbolon-dashboard.json');
const SERVICES = ['gateway', 'coordinator', 'policy', 'hsm', 'audit'] as const;

/** Words of PromQL that are not metric names: operators, modifiers and aggregation clauses. */
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression (or a Grafana `label_values(metric, label)` variable query) reads: the
 * identifiers left after removing strings, label matchers, range selectors, grouping label lists, function calls,
 * keywords, numbers, durations and Grafana variables.
 */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\blabel_values\s*\(\s*([a-zA-Z_:][\w:]*)\s*,[^)]*\)/g, ' $1 ') // Grafana variable query
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables
    .replace(/(?<![\w:])\d[\w.]*(?:[eE][+-]?\d+)?/g, ' ') // numbers and durations (0.99, 1e3, 1h30m)
    .replace(/\b[a-zA-Z_][\w]*\s*\(/g, ' ( '); // function names
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    if (!PROMQL_KEYWORDS.has(m[0].toLowerCase())) names.add(m[0]);
  }
  return [...names].sort();
}

/** Every PromQL expression of a dashboard: panel targets (rows included) and query variables. */
function dashboardExprs(dashboard: unknown): string[] {
  const exprs: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, k);
    } else if (typeof node === 'string' && (key === 'expr' || key === 'definition')) exprs.push(node);
  };
  walk(dashboard);
  const variables = (dashboard as { templating?: { list?: { type?: string; query?: unknown }[] } }).templating
    ?.list;
  for (const v of variables ?? []) {
    if (v.type !== 'query') continue;
    if (typeof v.query === 'string') exprs.push(v.query);
    else if (v.query && typeof (v.query as { query?: unknown }).query === 'string')
      exprs.push((v.query as { query: string }).query);
  }
  return exprs;
}

/** The dashboard's metric names that Prometheus does not know. */
function missingNames(dashboard: unknown, known: readonly string[]): string[] {
  const have = new Set(known);
  const used = new Set(dashboardExprs(dashboard).flatMap(metricNamesOf));
  return [...used].filter((n) => !have.has(n)).sort();
}

interface PromResponse<T> {
  status: string;
  data: T;
}

async function promGet<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`prometheus ${path}: HTTP ${res.status}`);
  const body = (await res.json()) as PromResponse<T>;
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.status}`);
  return body.data;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('metricNamesOf', () => {
  it('should find every metric name when an expression mixes functions, matchers, ranges and grouping', () => {
    const expr =
      'sum by (le, operation) (rate(kms_made_up_seconds_bucket{job=~"$job", outcome!="ok"}[$__rate_interval])) ' +
      '/ ignoring(outcome) group_left sum without (instance) (rate(other_total[5m] offset 1h)) > bool 0.5 ' +
      'or on(job) up{job="a b"} unless absent(process_open_fds) * 1e3 + 0x1F';
    expect(metricNamesOf(expr)).toEqual([
      'kms_made_up_seconds_bucket',
      'other_total',
      'process_open_fds',
      'up',
    ]);
  });

  it('should read the metric of a Grafana variable query when it is label_values(metric, label)', () => {
    expect(metricNamesOf('label_values(up, job)')).toEqual(['up']);
  });

  it('should find a made-up metric when a dashboard queries a name Prometheus does not know', () => {
    const fake = {
      panels: [
        {
          type: 'row',
          panels: [{ targets: [{ expr: 'histogram_quantile(0.99, rate(kms_nope_bucket[5m]))' }] }],
        },
        { targets: [{ expr: 'sum(rate(kms_gateway_requests_total[1m]))' }] },
      ],
      templating: { list: [{ type: 'query', query: { query: 'label_values(kms_ghost_info, job)' } }] },
    };
    expect(missingNames(fake, ['kms_gateway_requests_total'])).toEqual(['kms_ghost_info', 'kms_nope_bucket']);
  });
});

describe('Grafana dashboard on a real Prometheus', () => {
  let platform: TestPlatform | undefined;
  let prometheus: ChildProcess | undefined;
  let promDir: string | undefined;
  let promBase = '';
  let promOut = '';
  /** The launcher names hsm nodes hsm-1, hsm-2 ...: the job `hsm` scrapes the one node of this platform. */
  let metricsPorts: Record<string, number>;
  const portOf = (s: (typeof SERVICES)[number]): number => metricsPorts[s === 'hsm' ? 'hsm-1' : s]!;
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as unknown;

  const stopPrometheus = async (): Promise<void> => {
    const p = prometheus;
    prometheus = undefined;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (promDir) rmSync(promDir, { recursive: true, force: true });
    promDir = undefined;
  };

  beforeAll(async () => {
    try {
      platform = await startTestPlatform();
      metricsPorts = (
        JSON.parse(readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8')) as {
          metricsPorts: typeof metricsPorts;
        }
      ).metricsPorts;

      promDir = mkdtempSync(join(tmpdir(), 'symbolon-prometheus-'));
      const config = [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        ...SERVICES.flatMap((s) => [
          `  - job_name: ${s}`,
          '    metrics_path: /metrics',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${portOf(s)}']`,
        ]),
        '',
      ].join('\n');
      writeFileSync(join(promDir, 'prometheus.yml'), config);
      const port = await freePort();
      promBase = `http://127.0.0.1:${port}`;
      prometheus = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(promDir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(promDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stdout!.on('data', (d: Buffer) => (promOut += d.toString()));
      prometheus.stderr!.on('data', (d: Buffer) => (promOut += d.toString()));
      await waitFor(
        'prometheus to be ready',
        async () => {
          if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${promOut.slice(-2000)}`);
          return (await fetch(`${promBase}/-/ready`)).ok ? true : undefined;
        },
        30_000,
      );
    } catch (e) {
      await stopPrometheus();
      await platform?.stop();
      throw e;
    }
  });

  afterAll(async () => {
    await stopPrometheus();
    await platform?.stop();
  });

  it('should show every service as an up target when Prometheus scrapes the platform every second', async () => {
    const targets = await waitFor(
      'all targets up',
      async () => {
        const data = await promGet<{ activeTargets: { labels: { job: string }; health: string }[] }>(
          promBase,
          '/api/v1/targets',
        );
        const up = data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.job);
        return SERVICES.every((s) => up.includes(s)) ? data.activeTargets : undefined;
      },
      30_000,
    );
    expect(targets.map((t) => t.labels.job).sort()).toEqual([...SERVICES].sort());

    const result = await promGet<{ result: { metric: { job: string }; value: [number, string] }[] }>(
      promBase,
      `/api/v1/query?query=${encodeURIComponent('up')}`,
    );
    const upByJob = Object.fromEntries(result.result.map((r) => [r.metric.job, r.value[1]]));
    expect(upByJob).toEqual(Object.fromEntries(SERVICES.map((s) => [s, '1'])));
  });

  it('should extract names from every query when reading the dashboard', () => {
    const exprs = dashboardExprs(dashboard);
    expect(exprs.length).toBeGreaterThan(20);
    // Each expression reads at least one metric: an empty result would mean the extraction lost names.
    expect(exprs.filter((e) => metricNamesOf(e).length === 0)).toEqual([]);
    const used = new Set(exprs.flatMap(metricNamesOf));
    for (const s of SERVICES) {
      expect(used).toContain(`kms_${s}_requests_total`);
      expect(used).toContain(`kms_${s}_request_duration_seconds_bucket`);
    }
    expect(used).toContain('up');
    expect(used).toContain('process_cpu_seconds_total');
  });

  it('should know every metric name of the dashboard when the platform has served requests', async () => {
    const kms: KMSClient = platform!.kms();
    const key = (await kms.send(new CreateKeyCommand({ Description: 'prometheus' }))).KeyMetadata!.KeyId!;
    const sealed = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('metrics') }));
    await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    await kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }));
    // An error answer, so error series exist too.
    await expect(kms.send(new DescribeKeyCommand({ KeyId: randomUUID() }))).rejects.toThrow();
    kms.destroy();

    // The audit service only counts its own subjects (queries): a key owner's ListAuditEvents reaches it through the
    // coordinator (audit answers nobody else).
    const listed = await callAdmin({
      endpoint: platform!.endpoint,
      credentials: platform!.credentials,
      region: platform!.credentials.region,
      operation: 'ListAuditEvents',
      service: 'Symbolon',
      body: { Limit: 1 },
    });
    expect(listed.status).toBe(200);

    const names = async (): Promise<string[]> => promGet<string[]>(promBase, '/api/v1/label/__name__/values');
    // Scrapes run every second: wait for the series the requests created, then compare once more for the report.
    await waitFor(
      'every dashboard metric in prometheus',
      async () => (missingNames(dashboard, await names()).length === 0 ? true : undefined),
      20_000,
    ).catch(() => undefined);
    const known = await names();
    expect(missingNames(dashboard, known)).toEqual([]);
    // The same check against the same Prometheus catches a name that no service exports.
    const madeUp = { panels: [{ targets: [{ expr: 'sum(rate(kms_gateway_made_up_total[5m]))' }] }] };
    expect(missingNames(madeUp, known)).toEqual(['kms_gateway_made_up_total']);
  });
});
