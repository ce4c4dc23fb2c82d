import {
  type NatsRole,
  ensureDevTls,
  ensureUserNkey,
  freePort,
  inboxPrefix,
  initSoftHsmToken,
  natsRoleName,
  type SoftHsmToken,
  natsUserConfig,
  startNatsServer,
  tailFile,
  trackProcess,
  writeSecretFile,
} from '@symbolon/platform';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { joinDomain, trustDevelopmentOperator, trustedOperatorsFile, waitForDomains } from './join-domain.js';

/** The compiled tree: dist/ (this file is dist/deploy/local/platform.js once built). */
const DIST = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * The hsm nodes, one token each (`symbolon-hsm-<n>`), numbered across the domains in order: a domain's first node
 * makes it, the others join it.
 */
const DEFAULT_HSM_TOKENS = 2;
const MAX_HSM_TOKENS = 8;
type Service = 'policy' | 'coordinator' | 'audit' | 'gateway' | 'storage' | `hsm-${number}`;
const tokenLabelOf = (nodeId: string): string => `symbolon-${nodeId}`;

/** A domain to run: its name (the custom key store name), region / jurisdiction labels and how many tokens. */
export interface DomainLayout {
  name: string;
  tokens: number;
  labels?: Record<string, string>;
}

/** The domains with their node ids (hsm-1, hsm-2, ... across them in order). */
export function layoutDomains(
  domains: readonly DomainLayout[],
): { name: string; labels: Record<string, string>; nodes: `hsm-${number}`[] }[] {
  let next = 1;
  const total = domains.reduce((n, d) => n + d.tokens, 0);
  if (domains.length === 0 || total > MAX_HSM_TOKENS) {
    throw new Error(`the platform runs 1 to ${MAX_HSM_TOKENS} tokens in 1 or more domains, not ${total}`);
  }
  return domains.map((d) => {
    if (!Number.isInteger(d.tokens) || d.tokens < 1) {
      throw new Error(`domain ${d.name} needs 1 or more tokens, not ${d.tokens}`);
    }
    const nodes = Array.from({ length: d.tokens }, () => `hsm-${next++}` as const);
    return { name: d.name, labels: d.labels ?? {}, nodes };
  });
}

export interface PlatformOptions {
  dataDir: string;
  port: number;
  /** The S3 API's port (storage service); default: a free one. */
  s3Port?: number;
  /** PostgreSQL instead of the embedded SQLite files: every service gets its own schema in this database. */
  postgresUrl?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** SoftHSM2 tokens, one hsm node each, in one domain named `default` (default 2): hsm-1 makes it, the others join. */
  hsmTokens?: number;
  /** Several domains instead (not with hsmTokens): the first is the default; each one's first node makes it. */
  domains?: DomainLayout[];
  /** false: the other tokens' nodes run but wait for the operators to add them (`symbolon domain propose`). */
  autoJoin?: boolean;
  log?: (line: string) => void;
}

export interface RunningPlatform {
  endpoint: string;
  /** The S3 API (storage service), path-style: the same access keys as the KMS endpoint. */
  s3Endpoint: string;
  credentialsFile: string;
  natsUrl: string;
  metricsPorts: Partial<Record<Service, number>>;
  /** The hsm node ids, in order. */
  hsmNodes: string[];
  /** The domains by name with their nodes, in order. */
  domains: { name: string; nodes: string[] }[];
  dataDir: string;
  /**
   * Resolves when a service exits on its own during the start, or keeps exiting after it (it is started again up to
   * MAX_RESTARTS times a minute), with its name, so the caller can stop the rest.
   */
  exited: Promise<{ service: string; code: number | null }>;
  stop(): Promise<void>;
}

interface Secrets {
  hsmPin: string;
  hsmSoPin: string;
  natsUser: string;
  natsPassword: string;
}

/** PINs of the development token and the NATS credentials, made once and kept (0600) in the data folder. */
function secrets(dataDir: string): Secrets {
  const file = join(dataDir, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const s: Secrets = {
    hsmPin: kept.hsmPin ?? randomBytes(12).toString('hex'),
    hsmSoPin: kept.hsmSoPin ?? randomBytes(12).toString('hex'),
    natsUser: kept.natsUser ?? 'symbolon',
    natsPassword: kept.natsPassword ?? randomBytes(18).toString('hex'),
  };
  if (Object.keys(kept).length !== Object.keys(s).length) writeSecretFile(file, JSON.stringify(s));
  return s;
}

/** A service that exits more than MAX_RESTARTS times within RESTART_WINDOW_MS stops the platform. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/**
 * Starts the whole platform on one machine: nats-server with JetStream, a SoftHSM2 token, and every service as its
 * own process, all with state under dataDir (so a second start reuses keys, audit and credentials).
 */
export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const { hsmPin, hsmSoPin, natsUser, natsPassword } = secrets(dataDir);
  if (opts.domains !== undefined && opts.hsmTokens !== undefined) {
    throw new Error('give the tokens of one domain (hsmTokens) or the domains, not both');
  }
  const domains = layoutDomains(
    opts.domains ?? [{ name: 'default', tokens: opts.hsmTokens ?? DEFAULT_HSM_TOKENS }],
  );
  const hsmNodes = domains.flatMap((d) => d.nodes);
  const genesisNodes = new Set<string>(domains.map((d) => d.nodes[0]!));
  const SERVICES: Service[] = ['policy', ...hsmNodes, 'coordinator', 'audit', 'gateway', 'storage'];
  /** Stopped in this order: the entry points first, so no request is taken that a stopped service would fail. */
  const STOP_ORDER: Service[] = ['storage', 'gateway', 'coordinator', 'policy', ...hsmNodes, 'audit'];
  const pinFile = join(dataDir, 'hsm.pin');
  const soPinFile = join(dataDir, 'hsm.so-pin');
  writeSecretFile(pinFile, hsmPin);
  writeSecretFile(soPinFile, hsmSoPin);

  // One NATS user per service with only the rights its role needs (libs/platform nats-permissions.ts); the password
  // user is the operator's tooling (the CLI, tests), written to runtime.json.
  const roles: Record<Service, NatsRole> = {
    policy: 'policy',
    ...Object.fromEntries(hsmNodes.map((n) => [n, { hsmNode: n }])),
    coordinator: 'coordinator',
    audit: 'audit',
    storage: 'storage',
    gateway: 'gateway',
  };
  const nkeys = Object.fromEntries(
    SERVICES.map((s) => [s, ensureUserNkey(join(dataDir, 'nats', 'keys', `${natsRoleName(roles[s])}.nk`))]),
  ) as Record<Service, { publicKey: string; seedFile: string }>;
  // SYMBOLON_NATS_TLS=true: mutual TLS to NATS with development certificates (one per service, one for tooling).
  const tlsOn = (opts.env?.['SYMBOLON_NATS_TLS'] ?? process.env['SYMBOLON_NATS_TLS']) === 'true';
  const tls = tlsOn
    ? ensureDevTls(join(dataDir, 'nats', 'tls'), [...SERVICES.map((s) => natsRoleName(roles[s])), 'tooling'])
    : undefined;
  const nats = await startNatsServer({
    dir: join(dataDir, 'nats'),
    logFile: join(dataDir, 'logs', 'nats.log'),
    auth: { user: natsUser, password: natsPassword },
    users: [
      ...SERVICES.map((s) => natsUserConfig(roles[s], nkeys[s].publicKey)),
      natsUserConfig('operator', ensureUserNkey(join(dataDir, 'nats', 'keys', 'operator.nk')).publicKey),
    ],
    ...(tls
      ? { tls: { certFile: tls.server.cert, keyFile: tls.server.key, caFile: tls.ca, verify: true } }
      : {}),
  });
  const tlsEnv = (name: string): Record<string, string> =>
    tls
      ? {
          SYMBOLON_NATS_TLS_CA_FILE: tls.ca,
          SYMBOLON_NATS_TLS_CERT_FILE: tls.clients[name]!.cert,
          SYMBOLON_NATS_TLS_KEY_FILE: tls.clients[name]!.key,
        }
      : {};
  log(`nats: 127.0.0.1:${nats.port} (user ${natsUser})`);
  trustDevelopmentOperator(dataDir);
  // Only a token made now may create the domain key: a token that lost it must not silently get a new one.
  const freshToken = !existsSync(join(dataDir, 'softhsm', 'softhsm2.conf'));
  let token: SoftHsmToken | undefined;
  for (const nodeId of hsmNodes) {
    token = await initSoftHsmToken({
      dir: join(dataDir, 'softhsm'),
      label: tokenLabelOf(nodeId),
      pin: hsmPin,
      soPin: hsmSoPin,
    });
  }

  const metricsPorts: Partial<Record<Service, number>> = {};
  for (const s of SERVICES) metricsPorts[s] = s === 'gateway' ? opts.port : await freePort();
  const s3Port = opts.s3Port ?? (await freePort());
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const credentialsFile = join(dataDir, 'credentials.json');
  const common: Record<string, string> = {
    SYMBOLON_NATS_URL: `${tls ? 'tls' : 'nats'}://127.0.0.1:${nats.port}`,
    SYMBOLON_LOG_LEVEL: process.env['SYMBOLON_LOG_LEVEL'] ?? 'info',
    ...(opts.postgresUrl
      ? { SYMBOLON_DB_TYPE: 'postgres', SYMBOLON_DB_URL: opts.postgresUrl }
      : { SYMBOLON_DB_TYPE: 'sqlite' }),
    ...opts.env,
  };
  const hsmEnv = (nodeId: string): Record<string, string> => ({
    SOFTHSM2_CONF: token!.conf,
    SYMBOLON_PKCS11_MODULE: token!.modulePath,
    SYMBOLON_HSM_NODE_ID: nodeId,
    SYMBOLON_HSM_TOKEN_LABEL: tokenLabelOf(nodeId),
    SYMBOLON_HSM_PIN_FILE: pinFile,
    SYMBOLON_HSM_SO_PIN_FILE: soPinFile,
    SYMBOLON_HSM_OPERATORS_FILE: trustedOperatorsFile(dataDir),
    SYMBOLON_HSM_CREATE_DOMAIN_KEY: String(freshToken && genesisNodes.has(nodeId)),
    SYMBOLON_HSM_STATE_FILE: join(dataDir, 'softhsm', `${nodeId}.domain-state.json`),
  });
  const perService: Record<Service, Record<string, string>> = {
    policy: { SYMBOLON_DB_PATH: join(dataDir, 'db', 'policy.sqlite') },
    ...Object.fromEntries(hsmNodes.map((n) => [n, hsmEnv(n)])),
    coordinator: {
      SYMBOLON_DB_PATH: join(dataDir, 'db', 'coordinator.sqlite'),
      SYMBOLON_DOMAINS: JSON.stringify(
        domains.map((d) => ({
          name: d.name,
          node: d.nodes[0],
          tokenLabel: tokenLabelOf(d.nodes[0]!),
          labels: d.labels,
        })),
      ),
      SYMBOLON_OPERATOR_KEY_FILE: join(dataDir, 'operator-1.key.pem'),
    },
    audit: { SYMBOLON_DB_PATH: join(dataDir, 'db', 'audit.sqlite') },
    gateway: {
      SYMBOLON_DB_PATH: join(dataDir, 'db', 'gateway.sqlite'),
      SYMBOLON_PORT: String(opts.port),
      SYMBOLON_CREDENTIALS_FILE: credentialsFile,
    },
    storage: {
      SYMBOLON_DB_PATH: join(dataDir, 'db', 'storage.sqlite'),
      SYMBOLON_S3_PORT: String(s3Port),
      SYMBOLON_STORAGE_DIR: join(dataDir, 'objects'),
    },
  };

  const children = new Map<Service, ChildProcess>();
  let stopping = false;
  let started = false;
  const restarts = new Map<Service, number[]>();
  let onExit: (v: { service: string; code: number | null }) => void = () => undefined;
  const exited = new Promise<{ service: string; code: number | null }>((r) => (onExit = r));
  const spawnService = (s: Service): void => {
    const out = openSync(join(dataDir, 'logs', `${s}.log`), 'a');
    const child = spawn(
      process.execPath,
      [join(DIST, 'apps', s.startsWith('hsm-') ? 'hsm' : s, 'src', 'main.js')],
      {
        env: {
          ...process.env,
          ...common,
          SYMBOLON_SERVICE: s,
          SYMBOLON_NATS_NKEY_FILE: nkeys[s].seedFile,
          SYMBOLON_NATS_INBOX_PREFIX: inboxPrefix(roles[s]),
          ...tlsEnv(natsRoleName(roles[s])),
          SYMBOLON_METRICS_PORT: String(metricsPorts[s]),
          ...perService[s],
        },
        stdio: ['ignore', out, out],
        // Own process group: Ctrl-C reaches the launcher only, which stops the services in order.
        detached: true,
      },
    );
    closeSync(out);
    const untrack = trackProcess(child.pid!);
    child.on('exit', (code, signal) => {
      untrack();
      if (stopping) return;
      // Once the platform is up, a service that dies is started again, as a supervisor (or Kubernetes) would, unless
      // it keeps dying; during the start any exit is fatal.
      const recent = (restarts.get(s) ?? []).filter((t) => Date.now() - t < RESTART_WINDOW_MS);
      if (!started || recent.length >= MAX_RESTARTS) return onExit({ service: s, code });
      restarts.set(s, [...recent, Date.now()]);
      log(`${s} exited (${signal ?? `code ${code}`}); starting it again`);
      spawnService(s);
      writeRuntime();
    });
    children.set(s, child);
  };
  for (const s of SERVICES) spawnService(s);

  /** runtime.json (0600: the NATS URL carries the credentials), rewritten when a service is started again. */
  const writeRuntime = (): void =>
    writeSecretFile(
      join(dataDir, 'runtime.json'),
      JSON.stringify(
        {
          endpoint: `http://127.0.0.1:${opts.port}`,
          s3Endpoint,
          natsUrl: nats.url,
          ...(tls ? { natsTls: tlsEnv('tooling') } : {}),
          metricsPorts,
          pids: Object.fromEntries([...children].map(([name, c]) => [name, c.pid])),
        },
        null,
        2,
      ),
    );

  const stopChild = (c: ChildProcess): Promise<void> =>
    new Promise<void>((done) => {
      if (c.exitCode !== null || c.signalCode !== null) return done();
      const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      c.kill('SIGTERM');
    });
  const stop = async (): Promise<void> => {
    stopping = true;
    for (const s of STOP_ORDER) {
      const c = children.get(s);
      if (c) await stopChild(c);
    }
    await nats.stop();
  };

  try {
    await Promise.race([
      Promise.all(SERVICES.map((s) => waitHealthy(metricsPorts[s]!, 90_000))),
      exited.then(async ({ service, code }) => {
        const logFile = join(dataDir, 'logs', `${service}.log`);
        const tail = await tailFile(logFile, 15);
        throw new Error(
          `${service} exited with code ${code} during start; last lines of ${logFile}:\n${tail}`,
        );
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  started = true;
  writeRuntime();
  try {
    if (opts.autoJoin !== false) {
      for (const d of domains) await joinDomain(dataDir, d.name, d.nodes, log);
    }
    await waitForDomains(dataDir, log);
  } catch (e) {
    await stop();
    throw new Error(`the hsm nodes could not join the domain: ${(e as Error).message}`);
  }
  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    s3Endpoint,
    credentialsFile,
    natsUrl: nats.url,
    metricsPorts,
    hsmNodes,
    domains: domains.map(({ name, nodes }) => ({ name, nodes })),
    dataDir,
    exited,
    stop,
  };
}

async function waitHealthy(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service on port ${port} not healthy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
