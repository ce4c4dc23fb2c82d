import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

import type { NatsPermissionTemplate } from '../nats/permission-template.js';
import {
  COMPOSE_HSM_NODES,
  COMPOSE_NATS_TLS_PATHS,
  composeNatsUsers,
  nkeyFileName,
  renderNatsConf,
  setupCompose,
  tlsFileNames,
} from './setup.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const TLS_OVERRIDE = join(ROOT, 'deploy', 'compose', 'docker-compose.tls.yml');
const DOCKERFILE = join(ROOT, 'deploy', 'docker', 'Dockerfile');
const PERMISSIONS_FILE = join(ROOT, 'deploy', 'nats', 'permissions.json');
const PATH = `${process.env['PATH'] ?? ''}:/usr/sbin:/usr/bin`;
const FINAL_TARGETS = ['gateway', 'coordinator', 'policy', 'audit', 'storage', 'hsm', 'migrate'];
/** Compose service -> its NATS user (permissions.json); the services that do not connect to NATS are absent. */
const NATS_USER_OF: Record<string, string> = {
  gateway: 'gateway',
  coordinator: 'coordinator',
  policy: 'policy',
  audit: 'audit',
  storage: 'storage',
  'hsm-1': 'hsm-hsm-1',
  'hsm-2': 'hsm-hsm-2',
};
/** Every service of docker-compose.yml, sorted. */
const COMPOSE_SERVICES = [
  'audit',
  'coordinator',
  'gateway',
  'hsm-1',
  'hsm-2',
  'migrate',
  'nats',
  'policy',
  'postgres',
  'storage',
];
/** Every NATS user of the deployment: the compose services' and the operators' quorum tooling (no compose service). */
const ALL_NATS_USERS = [
  'gateway',
  'coordinator',
  'policy',
  'audit',
  'storage',
  'operator',
  'hsm-hsm-1',
  'hsm-hsm-2',
];

interface Service {
  image?: string;
  ports?: unknown[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string | null>;
  volumes?: (string | { source?: string; target?: string })[];
  healthcheck?: { test?: string[]; disable?: boolean };
  secrets?: ({ source: string } | string)[];
  profiles?: string[];
  depends_on?: Record<string, unknown>;
}
interface ComposeConfig {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}

const template = JSON.parse(readFileSync(PERMISSIONS_FILE, 'utf8')) as NatsPermissionTemplate;
let dir: string;
let secretsDir: string;
let natsConf: string;

function composeConfig(
  file: string | string[],
  dirs: { secrets: string; conf: string } = { secrets: secretsDir, conf: natsConf },
): ReturnType<typeof spawnSync> {
  const files = (Array.isArray(file) ? file : [file]).flatMap((f) => ['-f', f]);
  return spawnSync('docker-compose', [...files, '--project-directory', ROOT, 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH, SYMBOLON_SECRETS_DIR: dirs.secrets, SYMBOLON_NATS_CONF: dirs.conf },
  });
}

/** The names of the compose secrets a service mounts (at /run/secrets/<name>). */
const secretNames = (s: Service) => (s.secrets ?? []).map((x) => (typeof x === 'string' ? x : x.source));

function natsServerTest(conf: string): ReturnType<typeof spawnSync> {
  return spawnSync('nats-server', ['-t', '-c', conf], { encoding: 'utf8', env: { ...process.env, PATH } });
}

function openssl(args: string[]): ReturnType<typeof spawnSync> {
  return spawnSync('openssl', args, { encoding: 'utf8' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-compose-'));
  secretsDir = join(dir, 'secrets');
  natsConf = join(dir, 'nats.conf');
  setupCompose({ secretsDir, natsConfFile: natsConf, permissionsFile: PERMISSIONS_FILE });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('setupCompose', () => {
  it('should write every secret with mode 0600 when the secrets folder is new', () => {
    const names = readdirSync(secretsDir).sort();
    expect(names).toEqual(
      [
        ...ALL_NATS_USERS.map(nkeyFileName),
        'postgres-password',
        'db-url',
        ...COMPOSE_HSM_NODES.flatMap((n) => [`${n}.pin`, `${n}.so-pin`]),
      ].sort(),
    );
    for (const n of names) expect(statSync(join(secretsDir, n)).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    const password = readFileSync(join(secretsDir, 'postgres-password'), 'utf8');
    expect(readFileSync(join(secretsDir, 'db-url'), 'utf8')).toBe(
      `postgres://symbolon:${password}@postgres:5432/symbolon`,
    );
  });

  it('should keep every existing secret when it runs again', () => {
    const before = Object.fromEntries(
      readdirSync(secretsDir).map((n) => [n, readFileSync(join(secretsDir, n), 'utf8')]),
    );
    const again = setupCompose({ secretsDir, natsConfFile: natsConf, permissionsFile: PERMISSIONS_FILE });
    expect(again.created).toEqual([]);
    expect(again.kept.sort()).toEqual(Object.keys(before).sort());
    for (const [n, content] of Object.entries(before)) {
      expect(readFileSync(join(secretsDir, n), 'utf8')).toBe(content);
    }
  });

  it('should render a config that nats-server accepts when the secrets exist', () => {
    const r = spawnSync('nats-server', ['-t', '-c', natsConf], {
      encoding: 'utf8',
      env: { ...process.env, PATH },
    });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toContain('is valid');
    expect(r.status).toBe(0);
  });

  it('should give every NATS user its own nkey and the permissions of permissions.json when rendered', () => {
    const { publicKeys } = setupCompose({
      secretsDir,
      natsConfFile: natsConf,
      permissionsFile: PERMISSIONS_FILE,
    });
    const conf = readFileSync(natsConf, 'utf8');
    const users = composeNatsUsers(template);
    expect(users.map((u) => u.user)).toEqual(ALL_NATS_USERS);
    expect(new Set(Object.values(publicKeys)).size).toBe(users.length);
    for (const u of users) expect(conf).toContain(`nkey: "${publicKeys[u.user]}"`);
    expect(conf).toContain('subscribe: { allow: ["kms.v1.hsm.hsm-2.> hsm"] }');
    expect(conf).toContain('publish: { allow: ["kms.v1.domain.>"] }');
    expect(conf).not.toContain('tls {');
    // Public keys only: no seed (S...) and no other secret reaches the config.
    for (const n of readdirSync(secretsDir)) {
      expect(conf).not.toContain(readFileSync(join(secretsDir, n), 'utf8'));
    }
  });

  it('should refuse to render when a user has no public key', () => {
    expect(() => renderNatsConf(composeNatsUsers(template), {})).toThrow(
      'no nkey user public key for gateway',
    );
  });

  it('should refuse an hsm node id when it is not a subject token', () => {
    expect(() => composeNatsUsers(template, ['hsm.1'])).toThrow('invalid hsm node id');
  });
});

describe('setupCompose with --tls', () => {
  let tlsDir: string;
  let tlsSecrets: string;
  let tlsConf: string;
  const hostPaths = () => ({
    certFile: join(tlsSecrets, tlsFileNames('server').cert),
    keyFile: join(tlsSecrets, tlsFileNames('server').key),
    caFile: join(tlsSecrets, tlsFileNames('ca').cert),
  });
  const setupTls = () =>
    setupCompose({
      secretsDir: tlsSecrets,
      natsConfFile: tlsConf,
      permissionsFile: PERMISSIONS_FILE,
      tls: true,
      // Real paths, so that nats-server -t can load the certificates.
      natsTlsPaths: hostPaths(),
    });

  beforeAll(() => {
    tlsDir = mkdtempSync(join(tmpdir(), 'symbolon-compose-tls-'));
    tlsSecrets = join(tlsDir, 'secrets');
    tlsConf = join(tlsDir, 'nats.conf');
    setupTls();
  });

  afterAll(() => {
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('should make a CA, a nats server certificate and one client certificate per NATS user when run', () => {
    const ca = join(tlsSecrets, tlsFileNames('ca').cert);
    const certs = new Set<string>();
    for (const who of ['ca', 'server', ...ALL_NATS_USERS]) {
      const { cert, key } = tlsFileNames(who);
      expect({ who, key: statSync(join(tlsSecrets, key)).mode & 0o777 }).toEqual({ who, key: 0o600 });
      expect({ who, cert: statSync(join(tlsSecrets, cert)).mode & 0o777 }).toEqual({ who, cert: 0o644 });
      certs.add(readFileSync(join(tlsSecrets, cert), 'utf8'));
      const verify = openssl(['verify', '-CAfile', ca, join(tlsSecrets, cert)]);
      expect({ who, verified: verify.status }).toEqual({ who, verified: 0 });
    }
    expect(certs.size).toBe(2 + ALL_NATS_USERS.length);
    const server = openssl([
      'x509',
      '-noout',
      '-ext',
      'subjectAltName,extendedKeyUsage',
      '-in',
      hostPaths().certFile,
    ]);
    expect(String(server.stdout)).toContain('DNS:nats');
    expect(String(server.stdout)).toContain('TLS Web Server Authentication');
    const gateway = openssl([
      'x509',
      '-noout',
      '-subject',
      '-ext',
      'extendedKeyUsage',
      '-in',
      join(tlsSecrets, tlsFileNames('gateway').cert),
    ]);
    expect(String(gateway.stdout)).toContain('CN = gateway');
    expect(String(gateway.stdout)).toContain('TLS Web Client Authentication');
  });

  it('should keep every certificate and key when it runs again', () => {
    const before = Object.fromEntries(
      readdirSync(tlsSecrets).map((n) => [n, readFileSync(join(tlsSecrets, n), 'utf8')]),
    );
    const again = setupTls();
    expect(again.created).toEqual([]);
    for (const [n, content] of Object.entries(before)) {
      expect(readFileSync(join(tlsSecrets, n), 'utf8')).toBe(content);
    }
  });

  it('should render a tls block with verify that nats-server accepts when the certificates exist', () => {
    const conf = readFileSync(tlsConf, 'utf8');
    const p = hostPaths();
    expect(conf).toContain(
      `tls {\n  cert_file: "${p.certFile}"\n  key_file: "${p.keyFile}"\n  ca_file: "${p.caFile}"\n  verify: true\n}`,
    );
    const r = natsServerTest(tlsConf);
    expect(`${String(r.stdout)}${String(r.stderr)}`).toContain('is valid');
    expect(r.status).toBe(0);
  });

  it('should fail nats-server -t when a certificate of the tls block is missing', () => {
    const broken = join(tlsDir, 'broken.conf');
    writeFileSync(
      broken,
      readFileSync(tlsConf, 'utf8').replace(hostPaths().certFile, join(tlsDir, 'missing.crt')),
    );
    expect(natsServerTest(broken).status).not.toBe(0);
  });

  it('should point the tls block at the compose secrets when no paths are given', () => {
    const users = composeNatsUsers(template);
    const keys = Object.fromEntries(users.map((u) => [u.user, `U${'A'.repeat(55)}`]));
    const conf = renderNatsConf(users, keys, COMPOSE_NATS_TLS_PATHS);
    expect(conf).toContain('cert_file: "/run/secrets/nats-tls-server-cert"');
    expect(conf).toContain('ca_file: "/run/secrets/nats-tls-ca"');
  });

  it('should refuse certificates that the CA did not issue when the CA was made again', () => {
    const other = mkdtempSync(join(tmpdir(), 'symbolon-compose-tls-ca-'));
    try {
      const opts = {
        secretsDir: other,
        natsConfFile: join(other, 'nats.conf'),
        permissionsFile: PERMISSIONS_FILE,
        tls: true,
      };
      setupCompose(opts);
      for (const f of Object.values(tlsFileNames('ca'))) unlinkSync(join(other, f));
      expect(() => setupCompose(opts)).toThrow('was not issued by the CA');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  describe('docker-compose.yml with deploy/compose/docker-compose.tls.yml', () => {
    let config: ComposeConfig;

    beforeAll(() => {
      const r = composeConfig([COMPOSE_FILE, TLS_OVERRIDE], { secrets: tlsSecrets, conf: tlsConf });
      if (r.status !== 0) throw new Error(`docker-compose config failed: ${String(r.stderr)}`);
      config = parse(String(r.stdout)) as ComposeConfig;
    });

    it('should give every NATS client its own client certificate and the tls:// URL when resolved', () => {
      const seen = new Set<string>();
      for (const [name, user] of Object.entries(NATS_USER_OF)) {
        const s = config.services[name]!;
        const env = s.environment ?? {};
        expect({ name, url: env['SYMBOLON_NATS_URL'] }).toEqual({ name, url: 'tls://nats:4222' });
        expect({ name, ca: env['SYMBOLON_NATS_TLS_CA_FILE'] }).toEqual({
          name,
          ca: COMPOSE_NATS_TLS_PATHS.caFile,
        });
        const cert = `nats-tls-${user}-cert`;
        const key = `nats-tls-${user}-key`;
        expect({ name, cert: env['SYMBOLON_NATS_TLS_CERT_FILE'] }).toEqual({
          name,
          cert: `/run/secrets/${cert}`,
        });
        expect({ name, key: env['SYMBOLON_NATS_TLS_KEY_FILE'] }).toEqual({
          name,
          key: `/run/secrets/${key}`,
        });
        expect(secretNames(s)).toEqual(expect.arrayContaining(['nats-tls-ca', cert, key, `nats-${user}`]));
        expect(config.secrets[cert]!.file).toBe(join(tlsSecrets, tlsFileNames(user).cert));
        expect(config.secrets[key]!.file).toBe(join(tlsSecrets, tlsFileNames(user).key));
        expect(seen.has(cert)).toBe(false);
        seen.add(cert);
      }
    });

    it('should mount the files of the tls block into the nats service when resolved', () => {
      const nats = secretNames(config.services['nats']!);
      for (const path of Object.values(COMPOSE_NATS_TLS_PATHS)) {
        expect(nats).toContain(path.replace('/run/secrets/', ''));
      }
      expect(config.secrets['nats-tls-server-key']!.file).toBe(hostPaths().keyFile);
      expect(config.secrets['nats-tls-ca']!.file).toBe(hostPaths().caFile);
    });

    it('should keep the hardening and the NATS identities of the base file when resolved', () => {
      for (const [name, s] of Object.entries(config.services)) {
        expect({ name, readOnly: s.read_only, capDrop: s.cap_drop }).toEqual({
          name,
          readOnly: true,
          capDrop: ['ALL'],
        });
      }
      for (const [name, user] of Object.entries(NATS_USER_OF)) {
        expect(config.services[name]!.environment?.['SYMBOLON_NATS_NKEY_FILE']).toBe(
          `/run/secrets/nats-${user}`,
        );
      }
      expect(Object.keys(config.services).sort()).toEqual(COMPOSE_SERVICES);
    });
  });
});

describe('docker-compose.yml', () => {
  let config: ComposeConfig;

  beforeAll(() => {
    const r = composeConfig(COMPOSE_FILE);
    if (r.status !== 0) throw new Error(`docker-compose config failed: ${String(r.stderr)}`);
    config = parse(String(r.stdout)) as ComposeConfig;
  });

  it('should fail docker-compose config when a key is misspelt', () => {
    const broken = join(dir, 'broken.yml');
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).toContain('  read_only: true');
    writeFileSync(broken, text.replace('  read_only: true', '  read_onlly: true'));
    const r = composeConfig(broken);
    expect(r.status).not.toBe(0);
    expect(String(r.stderr)).toContain('read_onlly');
  });

  it('should define the services of the deployment when resolved', () => {
    expect(Object.keys(config.services).sort()).toEqual(COMPOSE_SERVICES);
  });

  it('should publish a port only for the gateway and the S3 API of storage when resolved', () => {
    const publishing = Object.entries(config.services)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(publishing.sort()).toEqual(['gateway', 'storage']);
    // docker-compose 1.29 resolves a port to `host_ip:published:target/protocol`.
    const s3Port = config.services['storage']!.environment?.['SYMBOLON_S3_PORT'];
    expect(config.services['storage']!.ports).toEqual([`127.0.0.1:9000:${s3Port}/tcp`]);
  });

  it('should run storage on the folder backend in its own volume with the database settings of the other services when resolved', () => {
    const storage = config.services['storage']!;
    const env = storage.environment ?? {};
    expect(env['SYMBOLON_STORAGE_BACKEND']).toBe('folder');
    expect(env['SYMBOLON_S3_HOST']).toBe('0.0.0.0');
    const dir = env['SYMBOLON_STORAGE_DIR']!;
    const mounts = (storage.volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v,
    );
    const volume = mounts.find((m) => dir.startsWith(`${m.target}/`));
    expect(volume?.source).toBe('storage-objects');
    // No other service shares the objects' volume.
    for (const [name, s] of Object.entries(config.services)) {
      if (name === 'storage') continue;
      const sources = (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : v.source));
      expect({ name, shares: sources.includes('storage-objects') }).toEqual({ name, shares: false });
    }
    const gateway = config.services['gateway']!.environment ?? {};
    for (const key of ['SYMBOLON_DB_TYPE', 'SYMBOLON_DB_URL_FILE', 'SYMBOLON_DB_MIGRATE']) {
      expect({ key, value: env[key] }).toEqual({ key, value: gateway[key] });
    }
    expect(secretNames(storage)).toContain('db-url');
    // Signing keys come from the gateway, the schema from the migration.
    expect(Object.keys(storage.depends_on ?? {}).sort()).toEqual(['gateway', 'migrate', 'nats']);
  });

  it('should harden every service when resolved', () => {
    for (const [name, s] of Object.entries(config.services)) {
      expect({ name, readOnly: s.read_only }).toEqual({ name, readOnly: true });
      expect({ name, capDrop: s.cap_drop }).toEqual({ name, capDrop: ['ALL'] });
      expect({ name, securityOpt: s.security_opt }).toEqual({
        name,
        securityOpt: ['no-new-privileges:true'],
      });
    }
  });

  it('should give every long-running service a health check when resolved', () => {
    for (const [name, s] of Object.entries(config.services)) {
      if (name === 'migrate') continue;
      expect({ name, test: s.healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
    }
  });

  it('should keep secrets out of every environment value when resolved', () => {
    const secrets = readdirSync(secretsDir).map((n) => readFileSync(join(secretsDir, n), 'utf8').trim());
    for (const [name, s] of Object.entries(config.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        const v = value ?? '';
        const where = `${name} ${key}`;
        expect({ where, namesSecret: /(PASSWORD|SECRET|SEED|PIN|DB_URL)$/.test(key) }).toEqual({
          where,
          namesSecret: false,
        });
        expect({ where, credentialsInUrl: /\/\/[^/\s@]+:[^/\s@]*@/.test(v) }).toEqual({
          where,
          credentialsInUrl: false,
        });
        expect({ where, nkeySeed: /S[UNOACX][A-Z2-7]{50,}/.test(v) }).toEqual({ where, nkeySeed: false });
        for (const secret of secrets)
          expect({ where, leaks: v.includes(secret) }).toEqual({ where, leaks: false });
      }
    }
  });

  it('should read every secret from the secrets folder when resolved', () => {
    for (const [name, s] of Object.entries(config.secrets)) {
      expect({ name, file: s.file.startsWith(`${secretsDir}/`) }).toEqual({ name, file: true });
    }
  });

  it('should give each hsm node its own token volume when resolved', () => {
    const volumeOf = (svc: string) =>
      (config.services[svc]!.volumes ?? [])
        .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
        .filter((v) => v.includes('/var/lib/symbolon/softhsm'))
        .map((v) => v.split(':')[0]);
    const volumes = COMPOSE_HSM_NODES.map(volumeOf);
    for (const v of volumes) expect(v).toHaveLength(1);
    expect(new Set(volumes.flat()).size).toBe(COMPOSE_HSM_NODES.length);
  });

  it('should give every hsm node its own PIN and SO PIN as mounted secrets when resolved', () => {
    for (const node of COMPOSE_HSM_NODES) {
      const s = config.services[node]!;
      const env = s.environment ?? {};
      for (const [variable, secret, file] of [
        ['SYMBOLON_HSM_PIN_FILE', `${node}-pin`, `${node}.pin`],
        ['SYMBOLON_HSM_SO_PIN_FILE', `${node}-so-pin`, `${node}.so-pin`],
      ] as const) {
        expect({ node, variable, value: env[variable] }).toEqual({
          node,
          variable,
          value: `/run/secrets/${secret}`,
        });
        expect({ node, mounted: secretNames(s).includes(secret) }).toEqual({ node, mounted: true });
        expect(config.secrets[secret]!.file).toBe(join(secretsDir, file));
      }
    }
  });

  it('should mount every file an hsm node is configured to read when resolved', () => {
    for (const node of COMPOSE_HSM_NODES) {
      const s = config.services[node]!;
      const targets = (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1]! : v.target!));
      for (const [variable, value] of Object.entries(s.environment ?? {})) {
        if (!variable.endsWith('_FILE') || !value) continue;
        const mounted = value.startsWith('/run/secrets/')
          ? secretNames(s).includes(value.slice('/run/secrets/'.length))
          : targets.some((t) => value.startsWith(`${t}/`));
        expect({ node, variable, mounted }).toEqual({ node, variable, mounted: true });
      }
    }
  });

  it('should let only hsm-1 make a domain key and start the other nodes waiting to join when resolved', () => {
    const env = (name: string) => config.services[name]!.environment ?? {};
    expect(env('hsm-1')['SYMBOLON_HSM_DEV_TOKEN']).toBe('domain');
    expect(env('coordinator')['SYMBOLON_HSM_NODES']).toBe('hsm-1');
    expect(env('coordinator')['SYMBOLON_HSM_TOKEN_LABELS']).toBe(env('hsm-1')['SYMBOLON_HSM_TOKEN_LABEL']);
    for (const node of COMPOSE_HSM_NODES.filter((n) => n !== 'hsm-1')) {
      const s = config.services[node]!;
      // A member token is initialised empty and never makes a domain key: the node starts and waits for an add-member.
      expect({ node, devToken: s.environment?.['SYMBOLON_HSM_DEV_TOKEN'] }).toEqual({
        node,
        devToken: 'member',
      });
      expect({ node, create: s.environment?.['SYMBOLON_HSM_CREATE_DOMAIN_KEY'] }).toEqual({
        node,
        create: undefined,
      });
      expect({ node, profiles: s.profiles }).toEqual({ node, profiles: ['fleet'] });
      expect({
        node,
        needed: Object.keys(config.services['coordinator']!.depends_on ?? {}).includes(node),
      }).toEqual({
        node,
        needed: false,
      });
    }
  });

  it('should give every NATS client the inbox prefix and nkey of its permissions.json user when resolved', () => {
    const users = Object.fromEntries(composeNatsUsers(template).map((u) => [u.user, u]));
    for (const [name, s] of Object.entries(config.services)) {
      const env = s.environment ?? {};
      const user = NATS_USER_OF[name];
      if (!user) {
        expect({ name, nats: env['SYMBOLON_NATS_URL'] }).toEqual({ name, nats: undefined });
        continue;
      }
      expect({ name, prefix: env['SYMBOLON_NATS_INBOX_PREFIX'] }).toEqual({
        name,
        prefix: users[user]!.inboxPrefix,
      });
      expect({ name, nkey: env['SYMBOLON_NATS_NKEY_FILE'] }).toEqual({
        name,
        nkey: `/run/secrets/nats-${user}`,
      });
      expect(config.secrets[`nats-${user}`]!.file).toBe(join(secretsDir, nkeyFileName(user)));
      expect(env['SYMBOLON_NATS_URL']).toBe('nats://nats:4222');
    }
  });

  it('should pin the third-party images to an exact version when resolved', () => {
    for (const name of ['nats', 'postgres']) {
      expect(config.services[name]!.image).toMatch(
        /^[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/,
      );
    }
  });
});

/** The Dockerfile's instructions, continuation lines joined and comments dropped, grouped by stage. */
function dockerfileStages(text: string): { from: string; name?: string; instructions: string[] }[] {
  const lines = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stages: { from: string; name?: string; instructions: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2], instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

describe('deploy/docker/Dockerfile', () => {
  const stages = dockerfileStages(readFileSync(DOCKERFILE, 'utf8'));
  const byName = new Map(stages.map((s) => [s.name, s]));

  it('should pin every base image to an exact version when it is not an earlier stage', () => {
    const seen = new Set<string>();
    for (const s of stages) {
      if (!seen.has(s.from)) {
        expect(s.from).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/);
      }
      if (s.name) seen.add(s.name);
    }
  });

  it('should build native modules on the same Debian release as every final stage', () => {
    const bases = new Set(stages.filter((s) => !byName.has(s.from)).map((s) => s.from.split('@')[0]));
    expect([...bases]).toEqual(['node:20.20.2-bookworm-slim']);
  });

  it('should run every final stage as a numeric non-root user with exec-form commands', () => {
    for (const target of FINAL_TARGETS) {
      const stage = byName.get(target);
      expect({ target, defined: stage !== undefined }).toEqual({ target, defined: true });
      const ins = stage!.instructions;
      const user = ins.filter((i) => /^USER\s/i.test(i)).at(-1);
      expect({ target, user }).toEqual({ target, user: 'USER 10001:10001' });
      const commands = ins.filter((i) => /^(CMD|ENTRYPOINT)\s/i.test(i));
      expect({ target, commands: commands.length }).toEqual({ target, commands: 2 });
      for (const c of commands) {
        const json = c.replace(/^(CMD|ENTRYPOINT)\s+/i, '');
        expect({ target, execForm: Array.isArray(JSON.parse(json)) }).toEqual({ target, execForm: true });
      }
      for (const h of ins.filter((i) => /^HEALTHCHECK\s/i.test(i))) {
        expect(h).toMatch(/\sCMD \[/);
      }
    }
  });

  it('should install SoftHSM2 and document the vendor module slot when the target is hsm', () => {
    const hsm = byName.get('hsm')!.instructions.join('\n');
    expect(hsm).toMatch(/apt-get install .*softhsm2=/);
    expect(hsm).toContain('SYMBOLON_PKCS11_MODULE=');
    expect(readFileSync(DOCKERFILE, 'utf8')).toContain('/opt/pkcs11');
  });

  it('should keep secrets and local state out of the build context when .dockerignore is read', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of [
      'deploy/compose/secrets',
      'deploy/compose/nats.conf',
      '**/node_modules',
      '.symbolon',
    ]) {
      expect(ignored).toContain(entry);
    }
  });
});
