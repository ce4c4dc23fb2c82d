import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { KmsError } from '@symbolon/contracts';
import { type Observable, tap } from 'rxjs';

import { type RequestMetrics, requestMetrics } from './metrics.js';

/** Counts and times every message handler of a service, labelled by subject and outcome. */
@Injectable()
export class RpcMetricsInterceptor implements NestInterceptor {
  private readonly metrics: RequestMetrics;

  constructor(service: string) {
    this.metrics = requestMetrics(service);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const operation = context.switchToRpc().getContext<NatsContext>().getSubject();
    const end = this.metrics.duration.startTimer({ operation });
    return next.handle().pipe(
      tap({
        next: () => {
          end();
          this.metrics.requests.inc({ operation, outcome: 'ok' });
        },
        error: (e: unknown) => {
          end();
          this.metrics.requests.inc({ operation, outcome: e instanceof KmsError ? e.code : 'INTERNAL' });
        },
      }),
    );
  }
}
