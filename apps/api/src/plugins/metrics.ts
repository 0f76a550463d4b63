import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolState } from '../db/database.ts';

export interface MetricsOptions {
  readonly poolState: () => PoolState;
}

/**
 * Prometheus metrics at /metrics: requests by route pattern (never the raw URL, whose ids
 * would make a series per list) and status, their latency, the pool, and Node's defaults.
 */
export const metrics = fp(
  (app: FastifyInstance, options: MetricsOptions, done: (error?: Error) => void) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `*_total`, a suffix Prometheus reserves for counters
    // (promtool check metrics rejects them). Their figures remain, broken down by type, in
    // nodejs_active_resources, nodejs_active_handles and nodejs_active_requests.
    for (const name of ['resources', 'handles', 'requests']) {
      registry.removeSingleMetric(`nodejs_active_${name}_total`);
    }
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern and status',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const pool = (name: string, help: string, pick: (state: PoolState) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(options.poolState()));
        },
      });
    pool('db_pool_connections', 'Open database connections', (s) => s.total);
    pool('db_pool_idle_connections', 'Idle database connections', (s) => s.idle);
    pool('db_pool_waiting_requests', 'Queries waiting for a database connection', (s) => s.waiting);
    let discardedSeen = 0;
    new Counter({
      name: 'db_pool_discarded_connections_total',
      help: 'Database connections closed instead of reused, because their state was unknown',
      registers: [registry],
      collect() {
        const { discarded } = options.poolState();
        this.inc(discarded - discardedSeen);
        discardedSeen = discarded;
      },
    });

    // The series of one (method, route, status), looked up once: prom-client hashes and
    // checks the labels on every inc()/observe() given them, per request.
    const series = new Map<string, { count: () => void; observe: (seconds: number) => void }>();
    app.addHook('onResponse', (request, reply, next) => {
      const method = request.method;
      const route = request.routeOptions.url ?? 'unmatched';
      const statusCode = reply.statusCode;
      const key = `${method} ${statusCode} ${route}`;
      let one = series.get(key);
      if (one === undefined) {
        const labels = { method, route, status_code: String(statusCode) };
        const counter = requests.labels(labels);
        const histogram = duration.labels(labels);
        one = { count: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
        series.set(key, one);
      }
      one.count();
      one.observe(reply.elapsedTime / 1000);
      next();
    });

    app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
    done();
  },
  { name: 'metrics' },
);
