/**
 * Prometheus metrics (prom-client), one registry per service process. Names follow Prometheus
 * conventions: `erx_` prefix, units in the name, `_total` for counters.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[], collect?: (this: Gauge<L>) => void | Promise<void>): Gauge<L>;
  histogram<L extends string>(name: string, help: string, buckets: number[], labelNames?: readonly L[]): Histogram<L>;
  /** What GET /metrics answers; the registry's own text unless replaced (a replica's workers: the primary's sum over all of them). */
  exposition?: () => Promise<string>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'erx_' });
  return {
    registry,
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = [], collect) => new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) }),
    histogram: (name, help, buckets, labelNames = []) => new Histogram({ name, help, buckets, labelNames, registers: [registry] }),
  };
}

/** Request counts and latency per route, and `GET /metrics`. */
export function instrumentHttp(app: FastifyInstance, metrics: ServiceMetrics): void {
  const duration = metrics.histogram('erx_http_request_duration_seconds', 'HTTP request latency by route and status class', [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30], ['method', 'route', 'status']);
  app.addHook('onResponse', async (req, reply) => {
    const routeUrl = req.routeOptions.url ?? 'unmatched';
    if (routeUrl === '/metrics') return;
    duration.observe({ method: req.method, route: routeUrl, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format)', tags: ['operations'] } }, async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.exposition ? metrics.exposition() : metrics.registry.metrics();
  });
}
