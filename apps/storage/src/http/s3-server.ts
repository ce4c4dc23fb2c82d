import type { RequestHandledEvent } from '@symbolon/contracts';
import { logger, requestMetrics } from '@symbolon/platform';
import { randomBytes } from 'node:crypto';
import {
  type IncomingMessage,
  STATUS_CODES,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import type { S3Caller, SigningKeys } from '../auth/signing-keys.js';
import { S3Error, incompleteBody } from '../s3/errors.js';
import { parseS3Authorization, verifyS3Request } from '../s3/sigv4.js';
import { errorXml } from '../s3/xml.js';
import { type S3Operations, operationName } from './s3-operations.js';

/** How long a connection may stay silent in the middle of a request (S3's RequestTimeout). */
export const IDLE_TIMEOUT_MS = 60_000;

export interface S3ServerOptions {
  keys: SigningKeys;
  region: string;
  maxSkewMs: number;
  operations: S3Operations;
  /** Where each request's record goes before its answer; none in tests of the S3 API alone. */
  audit?: AuditSink;
  now?: () => number;
}

/** One request, parsed and authenticated: what an operation gets. */
export interface S3Request {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  caller: S3Caller;
  verified: ReturnType<typeof verifyS3Request>;
  /** Path-style: `/<bucket>/<key>`; both undefined for `/`. */
  bucket?: string;
  key?: string;
  /** Query parameters, decoded ('+' stays '+', as S3 clients encode a space as %20). */
  query: Map<string, string>;
  /** The operation it names (operationName), which dispatch runs. */
  operation: string;
  /**
   * Stores the request's audit record with the status about to be answered: an operation awaits it before the first
   * byte of its answer (the status line). Rejects when the record cannot be stored (the server then refuses).
   */
  answer(status: number): Promise<void>;
}

/** Splits `a=1&b&c=%2F` into decoded pairs; a name given twice keeps its first value. */
export function parseQuery(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    // Names and values reach the database (prefixes, markers, upload ids): PostgreSQL's text cannot hold U+0000.
    if (name.includes('\u0000') || value.includes('\u0000')) {
      throw new S3Error('InvalidArgument', 'A query parameter must not contain U+0000.');
    }
    if (!query.has(name)) query.set(name, value);
  }
  return query;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidArgument', 'The request URI or query is not valid percent-encoding.');
  }
}

/** `/bucket/some/key` into its bucket and key (percent-decoded); the key keeps every slash, repeated ones too. */
export function parsePath(rawPath: string): { bucket?: string; key?: string } {
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidArgument', 'The request path must start with /.');
  const rest = rawPath.slice(1);
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0 || slash === rest.length - 1) return { bucket: decode(slash < 0 ? rest : rest.slice(0, -1)) };
  return { bucket: decode(rest.slice(0, slash)), key: decode(rest.slice(slash + 1)) };
}

/** What a request publishes to the audit stream (the gateway's AuditPublisher). */
export interface AuditSink {
  publish(event: RequestHandledEvent): Promise<void>;
}

/** The audit record could not be stored: the request is refused, as the gateway refuses it (DESIGN, invariant 3). */
class NotAudited extends Error {}

/** One request's state for the answers, the audit record and the metrics, whoever gives the answer. */
class Exchange {
  caller: S3Caller | undefined;
  accessKeyId: string | undefined;
  resource: string | undefined;
  operation = 'Unknown';
  /** The error code answered, for the metrics. */
  outcome: string | undefined;
  private recorded: Promise<void> | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    private readonly audit: AuditSink | undefined,
  ) {}

  /**
   * Stores the request's audit record (once; later calls wait for the first): the answer must not begin before it
   * resolves. Rejects with NotAudited when the record cannot be stored.
   */
  record(status: number, outcome: string): Promise<void> {
    this.recorded ??= (async () => {
      if (!this.audit) return;
      try {
        await this.audit.publish({
          requestId: this.requestId,
          time: new Date().toISOString(),
          tenantId: this.caller?.accountId ?? null,
          principal: this.caller?.principalArn ?? null,
          accessKeyId: this.caller ? (this.accessKeyId ?? null) : null,
          sourceIp: this.req.socket.remoteAddress ?? '',
          operation: `s3:${this.operation}`,
          keyArn: null,
          keyVersion: null,
          encryptionContext: null,
          decision: null,
          outcome,
          httpStatus: status,
          ...(this.resource !== undefined ? { resource: this.resource } : {}),
        });
      } catch (e) {
        logger.error(
          { requestId: this.requestId, err: (e as Error).message },
          'audit record not stored; request refused',
        );
        throw new NotAudited();
      }
    })();
    return this.recorded;
  }
}

/** A write may have been done before its record failed (as at the gateway): the message does not claim otherwise. */
const NOT_AUDITED = new S3Error(
  'InternalError',
  'The request could not be audited; its result is withheld (a write may have taken effect).',
);

/**
 * The S3 REST API on its own listener (ADR 0017): path-style addressing, SigV4 verified here with the signing key the
 * gateway gives for the caller's access key and day. Errors are S3's XML error documents. Every request is audited
 * before its answer begins, as the gateway's are, and counted in kms_storage_requests_total.
 */
export class S3Server {
  private server: Server | undefined;
  private readonly now: () => number;
  /** The request each connection is serving, for answers the request's own handler cannot give. */
  private readonly inFlight = new WeakMap<Duplex, Exchange>();
  private readonly metrics = requestMetrics('storage');

  constructor(private readonly opts: S3ServerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async listen(port: number, host: string): Promise<number> {
    // No limit on a whole request (a large object takes as long as it takes), but on silence: a client that stops
    // sending for IDLE_TIMEOUT_MS is answered RequestTimeout and cut, and its upload goes away with it.
    const server = createServer({ requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
      const exchange = new Exchange(req, res, randomBytes(8).toString('hex').toUpperCase(), this.opts.audit);
      res.setHeader('x-amz-request-id', exchange.requestId);
      res.setHeader('Server', 'Symbolon');
      this.inFlight.set(req.socket, exchange);
      const started = process.hrtime.bigint();
      res.once('close', () => {
        this.inFlight.delete(req.socket);
        const outcome =
          res.statusCode < 400 ? 'ok' : String(res.getHeader('x-amz-error-code') ?? res.statusCode);
        this.metrics.requests.inc({ operation: exchange.operation, outcome });
        this.metrics.duration.observe(
          { operation: exchange.operation },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      });
      void this.handle(exchange);
    });
    server.setTimeout(IDLE_TIMEOUT_MS, (socket) =>
      this.cut(
        socket,
        new S3Error(
          'RequestTimeout',
          'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
        ),
      ),
    );
    // A connection that ends or breaks in the middle of a body fails in Node's HTTP parser, before the request's own
    // handler can answer: the answer is S3's IncompleteBody, not Node's bare 400.
    server.on('clientError', (_err, socket) => this.cut(socket, incompleteBody()));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Answers `err` on a connection whose request cannot go on (its answer not begun yet), once its audit record is
   * stored, then closes it; a connection with no request in flight, or whose answer has begun, is only closed.
   */
  private cut(socket: Duplex, err: S3Error): void {
    const exchange = this.inFlight.get(socket);
    if (!socket.writable || exchange === undefined || exchange.res.headersSent) {
      socket.destroy();
      return;
    }
    exchange.outcome = err.code;
    void exchange.record(err.status, err.code).then(
      () => {
        const body = errorXml(err, exchange.requestId);
        socket.end(
          `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}\r\nContent-Type: application/xml\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nx-amz-request-id: ${exchange.requestId}\r\n` +
            `Connection: close\r\n\r\n${body}`,
        );
        socket.destroy();
      },
      () => socket.destroy(),
    );
  }

  private async handle(x: Exchange): Promise<void> {
    const { req, res, requestId } = x;
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const query = parseQuery(rawQuery);
      const { bucket, key } = parsePath(rawPath);
      x.operation = operationName(req.method ?? 'GET', bucket, key, query, req.headers);
      x.resource = bucket === undefined ? undefined : `/${bucket}${key === undefined ? '' : `/${key}`}`;
      const headers = req.headersDistinct;
      const auth = parseS3Authorization(headers, { region: this.opts.region, rawQuery });
      const sessionToken = req.headers['x-amz-security-token'];
      x.accessKeyId = auth.accessKeyId;
      const caller = await this.opts.keys.caller(
        auth.accessKeyId,
        auth.date,
        auth.region,
        typeof sessionToken === 'string' ? sessionToken : undefined,
      );
      const verified = verifyS3Request(
        { method: req.method ?? 'GET', rawPath, rawQuery, headers },
        auth,
        caller.signingKey,
        this.now(),
        this.opts.maxSkewMs,
      );
      // Only a verified caller is recorded as the request's tenant and principal.
      x.caller = caller;
      await this.opts.operations.dispatch({
        req,
        res,
        requestId,
        caller,
        verified,
        ...(bucket !== undefined ? { bucket } : {}),
        ...(key !== undefined ? { key } : {}),
        query,
        operation: x.operation,
        answer: (status) => x.record(status, 'ok'),
      });
    } catch (e) {
      await this.fail(x, e);
    }
  }

  /**
   * Answers an error document once its audit record is stored, or cuts the connection when the answer has already
   * begun (a GET mid-stream).
   */
  private async fail(x: Exchange, e: unknown): Promise<void> {
    const { req, res, requestId, resource } = x;
    let err =
      e instanceof NotAudited
        ? NOT_AUDITED
        : e instanceof S3Error
          ? e
          : new S3Error('InternalError', 'We encountered an internal error. Please try again.', resource);
    if (!(e instanceof S3Error) && !(e instanceof NotAudited)) {
      logger.error({ err: (e as Error)?.message, requestId }, 's3 request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      await x.record(err.status, err.code);
    } catch {
      err = NOT_AUDITED;
    }
    const withResource =
      err.resource === undefined && resource ? new S3Error(err.code, err.message, resource, err.fields) : err;
    const body = req.method === 'HEAD' ? '' : errorXml(withResource, requestId);
    res.statusCode = err.status;
    x.outcome = err.code;
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    // A body the client is still sending is not read: close the connection after the answer.
    if (!req.complete) res.setHeader('Connection', 'close');
    res.end(body);
  }
}
