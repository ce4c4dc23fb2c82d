import { type RequestHandledEvent, type TenantScopedRequest } from '@symbolon/contracts';
import { type RequestMetrics, type RpcClient, logger, requestMetrics } from '@symbolon/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

import type { AdminOperation } from '../admin/admin-operation.js';
import { AdminOperations } from '../admin/registry.js';
import type { AuditPublisher } from '@symbolon/platform';
import { SigV4Error, type SigV4Verifier } from '../auth/sigv4/index.js';
import type { AccessKeyRepository } from '../tenants/access-key.repository.js';
import type { TenancyService } from '../tenants/tenancy.service.js';
import { AwsError, toAwsError } from './aws-error.js';
import { Input } from './operations/input.js';
import { type Operation, type OperationCall, type OperationResult } from './operations/operation.js';
import { Operations } from './operations/registry.js';
import { symbolonOperations } from './operations/symbolon-operations.js';
import { type RateLimiter } from './throttle/rate-limiter.js';

const TARGET_PREFIX = 'TrentService.';
/** Symbolon's own admin API on the same endpoint (accounts, users, access keys); audited as `SymbolonAdmin.<name>`. */
const ADMIN_TARGET_PREFIX = 'SymbolonAdmin.';
/** Symbolon's own operations for key owners (src/kms/operations/symbolon-operations.ts). */
const SYMBOLON_TARGET_PREFIX = 'Symbolon.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** AWS KMS's answer when a request quota is exceeded (developer guide, "Throttling AWS KMS requests"). */
export const THROTTLED_MESSAGE =
  'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

/**
 * One AWS KMS JSON 1.1 request: authenticate (SigV4), apply the caller account's rate limit, dispatch on
 * X-Amz-Target, call the platform, audit, answer. Every request that gets an answer (success, denial, throttling or
 * error) is audited first.
 */
export class KmsRequestHandler {
  private readonly metrics: RequestMetrics = requestMetrics('gateway');

  constructor(
    private readonly verifier: SigV4Verifier,
    private readonly callers: AccessKeyRepository,
    private readonly rpc: RpcClient,
    private readonly audit: AuditPublisher,
    /** Per-account request-rate limits (ADR 0007). */
    private readonly limiter: RateLimiter,
    /** The admin API's use cases; without them every `SymbolonAdmin.` request is an unknown operation. */
    private readonly tenancy?: TenancyService,
  ) {}

  async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const target = parseTarget(req);
    const event = newEvent(req, target);
    const end = this.metrics.duration.startTimer();
    let status = 200;
    let body: Record<string, unknown>;
    const call: Pick<OperationCall, 'audit'> = { audit: {} };
    try {
      const result = await this.run(req, target, event, call);
      body = result.output;
      event.keyArn = result.keyArn ?? null;
      event.keyVersion = result.keyVersion ?? null;
      event.decision = result.decision ?? null;
    } catch (e) {
      const aws = toAwsError(e);
      status = aws.status;
      body = { __type: aws.type, message: aws.message };
      event.outcome = aws.type;
      const details = aws.kmsError?.details;
      if (details?.['effect'] === 'ALLOW' || details?.['effect'] === 'DENY') {
        event.decision = { effect: details['effect'], reason: details['reason'] ?? '' };
      }
      if (status >= 500)
        logger.warn(
          // The cause stays in this log only; the caller gets the generic message.
          {
            requestId: event.requestId,
            type: aws.type,
            cause: aws.kmsError?.message ?? (e as Error)?.message,
          },
          'request failed',
        );
    }
    event.encryptionContext = call.audit.encryptionContext ?? null;
    event.httpStatus = status;
    await this.answer(reply, event, status, body);
    end({ operation: event.operation });
    this.metrics.requests.inc({ operation: event.operation, outcome: event.outcome });
  }

  /** For KMS endpoint requests refused before the handler runs (body too large, not a POST): audited, AWS-shaped. */
  async refuse(req: FastifyRequest, reply: FastifyReply, error: AwsError): Promise<void> {
    const event = newEvent(req, parseTarget(req));
    event.outcome = error.type;
    event.httpStatus = error.status;
    await this.answer(reply, event, error.status, { __type: error.type, message: error.message });
    this.metrics.requests.inc({ operation: event.operation, outcome: event.outcome });
  }

  private async run(
    req: FastifyRequest,
    target: Target,
    event: RequestHandledEvent,
    call: Pick<OperationCall, 'audit'>,
  ): Promise<OperationResult> {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const identity = await this.verifier
      .verify({ method: req.method, path: req.url.split('?')[0] ?? '/', headers: req.headers, body })
      .catch((e: unknown) => {
        if (e instanceof SigV4Error) throw new AwsError(e.type, e.message, 400);
        throw e;
      });
    const caller = await this.callers.findActive(identity.accessKeyId);
    if (!caller)
      throw new AwsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    event.tenantId = caller.accountId;
    event.principal = caller.principalArn;
    event.accessKeyId = caller.accessKeyId;

    // The tenant is known: its own buckets only, before any work for it is done upstream.
    if (!this.limiter.take(caller.accountId, target.name).allowed) {
      throw new AwsError('ThrottlingException', THROTTLED_MESSAGE, 400);
    }
    if (target.admin && this.tenancy) {
      // Platform administrators only (apps/gateway/README.md, "Admin API").
      if (!(await this.tenancy.isAdmin(caller.principalArn))) {
        throw new AwsError(
          'AccessDeniedException',
          `User: ${caller.principalArn} is not authorized to perform: ${target.name}`,
        );
      }
      return target.admin({
        input: Input.parse(body),
        caller: { accountId: caller.accountId, principalArn: caller.principalArn },
        tenancy: this.tenancy,
      });
    }
    if (!target.operation) {
      throw new AwsError(
        'UnknownOperationException',
        target.header ? `Unknown operation ${target.header.slice(0, 128)}` : 'Missing X-Amz-Target header',
      );
    }
    const scope: TenantScopedRequest = {
      requestId: event.requestId,
      tenantId: caller.accountId,
      principal: caller.principalArn,
      // aws:SourceIp and aws:SecureTransport as this listener saw the request.
      sourceIp: req.ip,
      secureTransport: req.protocol === 'https',
      ...(caller.principalTags ? { principalTags: caller.principalTags } : {}),
    };
    return target.operation({ input: Input.parse(body), scope, rpc: this.rpc, audit: call.audit });
  }

  private async answer(
    reply: FastifyReply,
    event: RequestHandledEvent,
    status: number,
    body: object,
  ): Promise<void> {
    try {
      await this.audit.publish(event);
    } catch (e) {
      logger.error(
        { requestId: event.requestId, err: (e as Error).message },
        'audit record not stored; request refused',
      );
      status = 500;
      body = {
        __type: 'KMSInternalException',
        message: 'The request could not be audited; it was not performed.',
      };
      // A refused request whose record could not be stored: the operation may have run (e.g. a key was created),
      // but the caller gets no result from it.
    }
    await reply
      .status(status)
      .header('content-type', CONTENT_TYPE)
      .header('x-amzn-requestid', event.requestId)
      .send(JSON.stringify(body));
  }
}

/** The X-Amz-Target header as sent, and the operation it names when it names one this endpoint serves. */
interface Target {
  header: string | undefined;
  name: string;
  operation: Operation | undefined;
  admin?: AdminOperation;
}

function parseTarget(req: FastifyRequest): Target {
  const raw = req.headers['x-amz-target'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (header?.startsWith(ADMIN_TARGET_PREFIX)) {
    const admin = header.slice(ADMIN_TARGET_PREFIX.length);
    if (Object.hasOwn(AdminOperations, admin)) {
      return { header, name: header, operation: undefined, admin: AdminOperations[admin] };
    }
  }
  if (header?.startsWith(SYMBOLON_TARGET_PREFIX)) {
    const own = header.slice(SYMBOLON_TARGET_PREFIX.length);
    if (Object.hasOwn(symbolonOperations, own)) {
      return { header, name: header, operation: symbolonOperations[own] };
    }
  }
  const name = header?.startsWith(TARGET_PREFIX) ? header.slice(TARGET_PREFIX.length) : undefined;
  return name !== undefined && Object.hasOwn(Operations, name)
    ? { header, name, operation: Operations[name] }
    : { header, name: 'Unknown', operation: undefined };
}

function newEvent(req: FastifyRequest, target: Target): RequestHandledEvent {
  return {
    requestId: randomUUID(),
    time: new Date().toISOString(),
    tenantId: null,
    principal: null,
    accessKeyId: null,
    sourceIp: req.ip,
    operation: target.name,
    keyArn: null,
    keyVersion: null,
    encryptionContext: null,
    decision: null,
    outcome: 'ok',
    httpStatus: 0,
  };
}
