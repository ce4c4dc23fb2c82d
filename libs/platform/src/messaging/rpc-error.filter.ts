import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type ErrorEnvelope, ErrorCodes, KmsError } from '@symbolon/contracts';
import { randomUUID } from 'node:crypto';
import { type Observable, throwError } from 'rxjs';

import { logger } from '../observability/logger.js';

/** Turns anything a handler throws into the error envelope; unknown errors become INTERNAL with a logged errorId. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<ErrorEnvelope> {
    const data = host.switchToRpc().getData() as { requestId?: unknown } | undefined;
    const requestId = typeof data?.requestId === 'string' ? data.requestId : undefined;
    return throwError(() => toEnvelope(exception, requestId));
  }
}

export function toEnvelope(exception: unknown, requestId?: string): ErrorEnvelope {
  if (exception instanceof KmsError) return exception.toEnvelope(requestId);
  if (KmsError.isEnvelope(exception)) return { ...exception, ...(requestId ? { requestId } : {}) };
  const errorId = randomUUID();
  logger.error({ errorId, requestId, err: describe(exception) }, 'unhandled error');
  return {
    code: ErrorCodes.INTERNAL,
    message: `internal error (errorId ${errorId})`,
    retryable: true,
    ...(requestId ? { requestId } : {}),
  };
}

function describe(exception: unknown): { name: string; message: string; stack?: string } {
  if (exception instanceof Error)
    return { name: exception.name, message: exception.message, stack: exception.stack };
  return { name: typeof exception, message: 'non-error thrown' };
}
