import { createUser, fromSeed } from '@nats-io/nkeys';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { NatsPermissionTemplate } from '../nats/permission-template.js';

/**
 * Prepares docker-compose.yml: the secrets it mounts (one nkey seed per NATS user, the PostgreSQL password, the
 * database URL, the hsm nodes' PINs) in a folder of 0600 files, and the nats-server config rendered from
 * deploy/nats/permissions.json with the users' public keys. Idempotent: a secret that exists is kept, so running it
 * again never changes a password, PIN or NATS identity; the config is rendered again every time.
 *
 * With --tls also mutual TLS for deploy/compose/docker-compose.tls.yml: a development CA, a certificate for the nats
 * service (DNS:nats) and one client certificate per NATS user, made with openssl (keys 0600, certificates 0644,
 * kept when they exist), and a nats.conf whose `tls` block demands client certificates.
 *
 *   node dist/deploy/compose/setup.js [--tls] [--secrets-dir DIR] [--nats-conf FILE] [--permissions FILE]
 *
 * run from the repository root (the defaults are deploy/compose/secrets, deploy/compose/nats.conf and
 * deploy/nats/permissions.json; SYMBOLON_SECRETS_DIR and SYMBOLON_NATS_CONF, as in docker-compose.yml, also set them).
 */

/** The hsm nodes of the compose file; hsm-1 makes the development domain, hsm-2 waits for the fleet procedure. */
export const COMPOSE_HSM_NODES = ['hsm-1', 'hsm-2'] as const;
const SERVICES = ['gateway', 'coordinator', 'policy', 'audit', 'storage'] as const;
/** Database name and user of the compose PostgreSQL (not secret); the password is. */
export const COMPOSE_DB = { user: 'symbolon', database: 'symbolon', host: 'postgres', port: 5432 };
const NODE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface ComposeSetupOptions {
  /** Folder of the secret files (created 0700); docker-compose.yml reads ${SYMBOLON_SECRETS_DIR}. */
  secretsDir: string;
  /** Where the nats-server config is written (not secret: public keys only). */
  natsConfFile: string;
  /** deploy/nats/permissions.json. */
  permissionsFile: string;
  hsmNodes?: readonly string[];
  /** Mutual TLS to NATS: make the CA and certificates, and render nats.conf with a `tls` block. */
  tls?: boolean;
  /** Where the nats server finds its certificate, key and the CA (default: the compose secrets of the TLS override). */
  natsTlsPaths?: NatsTlsPaths;
}

/** Paths, as the nats server sees them, of the files of its `tls` block. */
export interface NatsTlsPaths {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** The compose secrets of docker-compose.tls.yml, mounted at /run/secrets/<name> in the nats container. */
export const COMPOSE_NATS_TLS_PATHS: NatsTlsPaths = {
  certFile: '/run/secrets/nats-tls-server-cert',
  keyFile: '/run/secrets/nats-tls-server-key',
  caFile: '/run/secrets/nats-tls-ca',
};

export interface ComposeSetupResult {
  /** NATS user name -> nkey public key. */
  publicKeys: Record<string, string>;
  /** Secret file names written by this run, and those that already existed and were kept. */
  created: string[];
  kept: string[];
  natsConfFile: string;
}

/** A NATS user of the compose deployment: its name, inbox prefix and permissions, from the template. */
export interface ComposeNatsUser {
  user: string;
  inboxPrefix: string;
  publish: string[];
  subscribe: string[];
  allowResponses: boolean;
}

/**
 * The NATS users of the deployment: the five services, the operators' quorum tooling (no compose service: its seed is
 * for the operators), then one per hsm node ({{node}} filled in).
 */
export function composeNatsUsers(
  template: NatsPermissionTemplate,
  hsmNodes: readonly string[] = COMPOSE_HSM_NODES,
): ComposeNatsUser[] {
  const services = SERVICES.map((s) => {
    const p = template.services[s];
    return {
      user: s,
      inboxPrefix: p.inboxPrefix,
      publish: p.publish,
      subscribe: p.subscribe,
      allowResponses: p.allowResponses,
    };
  });
  const nodes = hsmNodes.map((node) => {
    if (!NODE_ID.test(node)) throw new Error(`invalid hsm node id: ${JSON.stringify(node)}`);
    const fill = (x: string) => x.replaceAll('{{node}}', node);
    const h = template.hsmNode;
    return {
      user: fill(h.user),
      // In an inbox prefix every '-' of the node id is written '_' (permission-template.ts).
      inboxPrefix: h.inboxPrefix.replaceAll('{{node}}', node.replace(/-/g, '_')),
      publish: h.publish.map(fill),
      subscribe: h.subscribe.map(fill),
      allowResponses: h.allowResponses,
    };
  });
  const o = template.operator;
  const operator = {
    user: 'operator',
    inboxPrefix: o.inboxPrefix,
    publish: o.publish,
    subscribe: o.subscribe,
    allowResponses: o.allowResponses,
  };
  return [...services, operator, ...nodes];
}

/**
 * The nats-server config of the compose deployment: JetStream, monitoring on loopback only, one nkey user each; with
 * `tls`, a client port that demands a certificate signed by the CA (verify: true).
 */
export function renderNatsConf(
  users: readonly ComposeNatsUser[],
  publicKeys: Record<string, string>,
  tls?: NatsTlsPaths,
): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const entries = users.map((u) => {
    const key = publicKeys[u.user];
    if (!key || !/^U[A-Z2-7]{55}$/.test(key)) throw new Error(`no nkey user public key for ${u.user}`);
    return [
      `    { nkey: "${key}"`,
      `      # ${u.user} (inbox prefix ${u.inboxPrefix})`,
      `      permissions: {`,
      // Nothing to publish but replies (allow_responses): deny everything else.
      u.publish.length > 0
        ? `        publish: { allow: ${list(u.publish)} }`
        : `        publish: { deny: [">"] }`,
      `        subscribe: { allow: ${list(u.subscribe)} }`,
      ...(u.allowResponses ? ['        allow_responses: true'] : []),
      `      } }`,
    ].join('\n');
  });
  return [
    '# Rendered by deploy/compose/setup.ts from deploy/nats/permissions.json and the nkey public keys of the',
    '# secrets folder. Do not edit and do not commit: run the setup again.',
    'server_name: "symbolon-nats"',
    'listen: "0.0.0.0:4222"',
    '# Monitoring (/healthz for the container health check) on loopback only: not reachable from other containers.',
    'http: "127.0.0.1:8222"',
    ...(tls
      ? [
          '# Mutual TLS (docker-compose.tls.yml): every client presents a certificate of the development CA.',
          'tls {',
          `  cert_file: ${JSON.stringify(tls.certFile)}`,
          `  key_file: ${JSON.stringify(tls.keyFile)}`,
          `  ca_file: ${JSON.stringify(tls.caFile)}`,
          '  verify: true',
          '}',
        ]
      : []),
    'jetstream {',
    '  store_dir: "/data/jetstream"',
    '  max_memory_store: 256MB',
    '  max_file_store: 8GB',
    '}',
    'authorization {',
    '  users = [',
    ...entries,
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** Secret file name of a NATS user's nkey seed (docker-compose.yml mounts it as secret `nats-<user>`). */
export const nkeyFileName = (user: string) => `nats-${user}.nk`;

/** Secret file names of the TLS material: the CA, the nats server (`server`) and each NATS user's client pair. */
export const tlsFileNames = (who: string) => ({ cert: `nats-tls-${who}.crt`, key: `nats-tls-${who}.key` });

function writeSecret(path: string, content: string, mode = 0o600): void {
  // 'wx': never writes into a file that exists (and might have a wider mode); the mode is set again for the umask.
  writeFileSync(path, content, { mode, flag: 'wx' });
  chmodSync(path, mode);
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const newKey = () => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);

/** A certificate for `keyFile` signed by the CA: a server one for DNS:nats, or a client one for a NATS user. */
function issue(ca: { cert: string; key: string }, keyFile: string, cn: string, server: boolean): string {
  return openssl([
    ...['req', '-x509', '-new', '-key', keyFile, '-CA', ca.cert, '-CAkey', ca.key, '-days', '825'],
    ...['-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:FALSE'],
    ...['-addext', 'keyUsage=critical,digitalSignature'],
    ...['-addext', `extendedKeyUsage=${server ? 'serverAuth' : 'clientAuth'}`],
    ...(server ? ['-addext', 'subjectAltName=DNS:nats'] : []),
  ]);
}

/**
 * The development CA and the certificates of the nats server and of every NATS user, in `secretsDir`. A pair that
 * exists is kept, as long as its certificate was issued by the CA; a new key next to an old certificate is refused.
 */
function ensureTls(secretsDir: string, users: readonly string[], created: string[], kept: string[]): void {
  const pair = (who: string, make: (keyFile: string) => string) => {
    const names = tlsFileNames(who);
    const keyFile = join(secretsDir, names.key);
    const certFile = join(secretsDir, names.cert);
    const freshKey = !existsSync(keyFile);
    if (freshKey) {
      writeSecret(keyFile, newKey());
      created.push(names.key);
    } else kept.push(names.key);
    if (existsSync(certFile)) {
      if (freshKey) {
        throw new Error(
          `${names.cert} in ${secretsDir} predates a new ${names.key}: delete it and run again`,
        );
      }
      kept.push(names.cert);
      return { cert: certFile, key: keyFile, fresh: false };
    }
    // Certificates are public: readable by the nats container, which runs as another user.
    writeSecret(certFile, make(keyFile), 0o644);
    created.push(names.cert);
    return { cert: certFile, key: keyFile, fresh: true };
  };
  const ca = pair('ca', (keyFile) =>
    openssl([
      ...[
        'req',
        '-x509',
        '-new',
        '-key',
        keyFile,
        '-days',
        '3650',
        '-subj',
        '/CN=Symbolon development NATS CA',
      ],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ]),
  );
  const leaves = [
    pair('server', (keyFile) => issue(ca, keyFile, 'nats', true)),
    ...users.map((u) => pair(u, (keyFile) => issue(ca, keyFile, u, false))),
  ];
  for (const leaf of leaves.filter((l) => !l.fresh)) {
    try {
      openssl(['verify', '-CAfile', ca.cert, leaf.cert]);
    } catch {
      throw new Error(
        `${leaf.cert} was not issued by the CA in ${secretsDir}: delete it and its key and run again`,
      );
    }
  }
}

const randomToken = (bytes: number) => randomBytes(bytes).toString('hex');

export function setupCompose(opts: ComposeSetupOptions): ComposeSetupResult {
  const secretsDir = resolve(opts.secretsDir);
  const template = JSON.parse(readFileSync(opts.permissionsFile, 'utf8')) as NatsPermissionTemplate;
  const hsmNodes = opts.hsmNodes ?? COMPOSE_HSM_NODES;
  const users = composeNatsUsers(template, hsmNodes);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);

  const created: string[] = [];
  const kept: string[] = [];
  /** Writes the secret unless it exists; returns its content. */
  const ensure = (name: string, make: () => string): string => {
    const path = join(secretsDir, name);
    if (existsSync(path)) {
      kept.push(name);
      return readFileSync(path, 'utf8').trim();
    }
    const value = make();
    writeSecret(path, value);
    created.push(name);
    return value;
  };

  const publicKeys: Record<string, string> = {};
  for (const u of users) {
    const seed = ensure(nkeyFileName(u.user), () => new TextDecoder().decode(createUser().getSeed()));
    try {
      publicKeys[u.user] = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
    } catch {
      // The file name only: never its content.
      throw new Error(
        `${nkeyFileName(u.user)} in ${secretsDir} is not an nkey seed: delete it to make a new one`,
      );
    }
  }

  const passwordFile = join(secretsDir, 'postgres-password');
  const freshPassword = !existsSync(passwordFile);
  const password = ensure('postgres-password', () => randomToken(24));
  // The URL carries the password: made again whenever the password is new, so the two never disagree.
  if (freshPassword && existsSync(join(secretsDir, 'db-url'))) {
    throw new Error(`db-url in ${secretsDir} predates a new postgres-password: delete db-url and run again`);
  }
  const { user, database, host, port } = COMPOSE_DB;
  ensure('db-url', () => `postgres://${user}:${password}@${host}:${port}/${database}`);
  for (const node of hsmNodes) {
    ensure(`${node}.pin`, () => randomToken(12));
    ensure(`${node}.so-pin`, () => randomToken(12));
  }

  if (opts.tls)
    ensureTls(
      secretsDir,
      users.map((u) => u.user),
      created,
      kept,
    );

  const natsConfFile = resolve(opts.natsConfFile);
  mkdirSync(dirname(natsConfFile), { recursive: true });
  // Public keys only; readable by the nats container, which runs as another user.
  const tlsPaths = opts.tls ? (opts.natsTlsPaths ?? COMPOSE_NATS_TLS_PATHS) : undefined;
  writeFileSync(natsConfFile, renderNatsConf(users, publicKeys, tlsPaths), { mode: 0o644 });
  chmodSync(natsConfFile, 0o644);
  return { publicKeys, created, kept, natsConfFile };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

function main(args: string[]): void {
  const known = new Set(['--secrets-dir', '--nats-conf', '--permissions']);
  const flags = new Set(['--tls']);
  const unknown = args.filter(
    (a, i) => a.startsWith('--') && !known.has(a) && !flags.has(a) && !known.has(args[i - 1] ?? ''),
  );
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}`);
  const result = setupCompose({
    secretsDir:
      option(args, '--secrets-dir') ?? (process.env['SYMBOLON_SECRETS_DIR'] || 'deploy/compose/secrets'),
    natsConfFile:
      option(args, '--nats-conf') ?? (process.env['SYMBOLON_NATS_CONF'] || 'deploy/compose/nats.conf'),
    permissionsFile: option(args, '--permissions') ?? 'deploy/nats/permissions.json',
    tls: args.includes('--tls'),
  });
  console.log(`secrets created: ${result.created.join(', ') || '(none)'}`);
  console.log(`secrets kept: ${result.kept.join(', ') || '(none)'}`);
  console.log(`nats config: ${result.natsConfFile}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`setup failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
