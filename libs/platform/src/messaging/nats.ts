import { nkeyAuthenticator } from '@nats-io/transport-node';
import type { NatsOptions } from '@nestjs/microservices';
import { readFileSync } from 'node:fs';
import { Transport } from '@nestjs/microservices';

/**
 * How every Symbolon process connects to NATS: reconnect forever, and noAsyncTraces (the client otherwise builds an
 * Error per request for async stack traces: 6.7 % of the gateway's CPU profile under load). The URL may carry
 * `user:password@`: they are passed as the client's user and pass (the client does not read them from the URL).
 * SYMBOLON_NATS_NKEY_FILE (an nkey seed file) and SYMBOLON_NATS_INBOX_PREFIX, when set, replace them: the
 * service's own NATS user and reply prefix (nats-permissions.ts). SYMBOLON_NATS_TLS_* turn on TLS (natsTlsOptions).
 */
export function natsConnectionOptions(natsUrl: string, name: string, opts: ConnectionOptions = {}) {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = natsUrl.split(',').map((server) => {
    const url = new URL(server);
    if (url.username) {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    }
    return `${url.protocol}//${url.host}`;
  });
  // A service of a deployment with per-service NATS users (nats-permissions.ts) authenticates with its own nkey and
  // reads replies under its own inbox prefix; both come from the environment its launcher gives it.
  const seedFile = opts.nkeySeedFile ?? process.env['SYMBOLON_NATS_NKEY_FILE'];
  const base = opts.inboxPrefix ?? process.env['SYMBOLON_NATS_INBOX_PREFIX'];
  const inbox = base && opts.inboxToken ? `${base}.${opts.inboxToken}` : base;
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    noAsyncTraces: true,
    ...(seedFile
      ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())) }
      : user !== undefined
        ? { user, pass }
        : {}),
    ...(inbox ? { inboxPrefix: inbox } : {}),
    ...natsTlsOptions(),
  };
}

export interface ConnectionOptions {
  /** Connect as this NATS user (an nkey seed file) instead of the process's own (tooling, tests, the bench). */
  nkeySeedFile?: string;
  /** With nkeySeedFile: that user's inbox prefix (nats-permissions.ts inboxPrefix). */
  inboxPrefix?: string;
  /**
   * Replies under `<inbox prefix>.<inboxToken>`: a sub-inbox a callee may be allowed to publish to without reaching
   * the rest of this service's replies (see auditReplyInboxPrefix).
   */
  inboxToken?: string;
}

/**
 * TLS to NATS when SYMBOLON_NATS_TLS_CA_FILE is set (the CA that signed the server's certificate), with a client
 * certificate when SYMBOLON_NATS_TLS_CERT_FILE and SYMBOLON_NATS_TLS_KEY_FILE are set too (servers that verify them).
 */
function natsTlsOptions(): { tls?: { caFile: string; certFile?: string; keyFile?: string } } {
  const caFile = process.env['SYMBOLON_NATS_TLS_CA_FILE'];
  if (!caFile) return {};
  const certFile = process.env['SYMBOLON_NATS_TLS_CERT_FILE'];
  const keyFile = process.env['SYMBOLON_NATS_TLS_KEY_FILE'];
  return { tls: { caFile, ...(certFile && keyFile ? { certFile, keyFile } : {}) } };
}

/** Microservice options for a Symbolon service: NATS with its queue group so replicas share load. */
export function natsMicroserviceOptions(natsUrl: string, queue: string, name: string): NatsOptions {
  return { transport: Transport.NATS, options: { ...natsConnectionOptions(natsUrl, name), queue } };
}

export function natsClientOptions(natsUrl: string, name: string, opts: ConnectionOptions = {}): NatsOptions {
  return { transport: Transport.NATS, options: natsConnectionOptions(natsUrl, name, opts) };
}
