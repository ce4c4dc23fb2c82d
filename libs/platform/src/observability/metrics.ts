import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; metric names follow kms_<service>_<what>_<unit>, counters end in _total. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const counters = new Map<string, Counter<'operation' | 'outcome'>>();
const histograms = new Map<string, Histogram<'operation'>>();

export interface RequestMetrics {
  requests: Counter<'operation' | 'outcome'>;
  duration: Histogram<'operation'>;
}

/** Request count and latency for a service; labels are operations and outcomes, never key or tenant ids. */
export function requestMetrics(service: string): RequestMetrics {
  const name = service.replace(/-/g, '_');
  let requests = counters.get(name);
  if (!requests) {
    requests = new Counter({
      name: `kms_${name}_requests_total`,
      help: `Requests handled by ${service}, by operation and outcome`,
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    counters.set(name, requests);
  }
  let duration = histograms.get(name);
  if (!duration) {
    duration = new Histogram({
      name: `kms_${name}_request_duration_seconds`,
      help: `Time ${service} spent on a request, by operation`,
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    histograms.set(name, duration);
  }
  return { requests, duration };
}
