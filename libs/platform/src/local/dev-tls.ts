import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsPair {
  cert: string;
  key: string;
}

export interface DevTls {
  ca: string;
  server: TlsPair;
  clients: Record<string, TlsPair>;
}

/**
 * A development certificate authority, a server certificate for 127.0.0.1 / localhost and one client certificate per
 * name, made with openssl under `dir` (keys 0600) on first use and reused afterwards. For `npm start` with
 * SYMBOLON_NATS_TLS=true only: a production deployment brings its own PKI.
 */
export function ensureDevTls(dir: string, clientNames: readonly string[]): DevTls {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  if (!existsSync(f('ca.pem'))) {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=symbolon-dev-ca',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
    );
    chmodSync(f('ca.key'), 0o600);
  }
  const issue = (name: string, san: string): TlsPair => {
    const pair = { cert: f(`${name}.pem`), key: f(`${name}.key`) };
    if (existsSync(pair.cert) && existsSync(pair.key)) return pair;
    writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\n`);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      pair.key,
      '-out',
      f(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '825',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      pair.cert,
    );
    chmodSync(pair.key, 0o600);
    return pair;
  };
  const server = issue('nats-server', 'IP:127.0.0.1,DNS:localhost');
  const clients = Object.fromEntries(clientNames.map((n) => [n, issue(`client-${n}`, `DNS:${n}`)]));
  return { ca: f('ca.pem'), server, clients };
}
