import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { AwsError } from './aws-error.js';
import type { KmsRequestHandler } from './kms-request.handler.js';

/**
 * Requests refused before the KMS handler runs (a body over the limit, an unknown route, an unreadable request)
 * still get an AWS-shaped error and an audit record.
 */
@Catch()
export class AwsHttpFilter implements ExceptionFilter {
  constructor(
    private readonly handler: KmsRequestHandler,
    private readonly maxBodyBytes: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    return this.handler.refuse(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.map(exception),
    );
  }

  private map(e: unknown): AwsError {
    const status = e instanceof HttpException ? e.getStatus() : (e as { statusCode?: number }).statusCode;
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
