import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { logger } from '@symbolon/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { AwsError } from './aws-error.js';
import type { KmsRequestHandler } from './kms-request.handler.js';

/** The AWS KMS JSON 1.1 endpoint: the only path whose errors are AWS-shaped and audited. */
export const KMS_PATH = '/';

/**
 * Requests to the KMS endpoint refused before the KMS handler runs (a body over the limit, a method other than POST,
 * an unreadable request) still get an AWS-shaped error and an audit record. Every other path (/health, /metrics, an
 * unknown route) keeps its own HTTP status and body and is not audited: probes are not KMS requests.
 */
@Catch()
export class AwsHttpFilter implements ExceptionFilter {
  constructor(
    private readonly handler: KmsRequestHandler,
    private readonly maxBodyBytes: number,
  ) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (req.url.split('?')[0] === KMS_PATH) return this.handler.refuse(req, reply, this.map(exception));
    const { status, body } = plainHttpError(exception);
    await reply.status(status).send(body);
  }

  private map(e: unknown): AwsError {
    const status = statusOf(e);
    if (status === 413) {
      return new AwsError(
        'RequestEntityTooLargeException',
        `The request body exceeds ${this.maxBodyBytes} bytes.`,
        413,
      );
    }
    if (status === 404)
      return new AwsError('UnknownOperationException', 'No such operation at this path.', 404);
    if (status === 415) return new AwsError('SerializationException', 'Unsupported content type.', 400);
    return new AwsError('SerializationException', 'The request could not be read.', 400);
  }
}

function statusOf(e: unknown): number | undefined {
  if (e instanceof HttpException) return e.getStatus();
  const status = (e as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * What Nest answers without a filter: an HttpException's own status and body; a Fastify client error (4xx with a
 * statusCode) its status and a generic message; anything else 500. No internal error text reaches the caller.
 */
function plainHttpError(e: unknown): { status: number; body: object } {
  if (e instanceof HttpException) {
    const response = e.getResponse();
    const status = e.getStatus();
    return {
      status,
      body: typeof response === 'string' ? { statusCode: status, message: response } : response,
    };
  }
  const status = statusOf(e);
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { statusCode: status, message: 'The request could not be read.' } };
  }
  logger.error(
    { err: e instanceof Error ? e.message : String(e) },
    'request outside the KMS endpoint failed',
  );
  return { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
}
