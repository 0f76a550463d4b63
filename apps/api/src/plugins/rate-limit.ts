import rateLimitPlugin from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../problems.ts';

/** Paths the platform polls; never limited. */
const OPERATIONS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Requests per minute per client address. The address is the one the load balancer saw
 * (`request.ip` honours X-Forwarded-For up to `trustProxyHops` proxies). The counter is
 * per process: with N tasks a client gets up to N times the figure, which is fine for
 * flood protection; a shared store would add a dependency for little.
 */
export const rateLimit = fp(
  async (app: FastifyInstance, options: { max: number }) => {
    await app.register(rateLimitPlugin, {
      global: true,
      max: options.max,
      timeWindow: 60_000,
      keyGenerator: (request) => request.ip,
      // The X-RateLimit-* headers only on a 429 (with Retry-After), not on every answer.
      addHeadersOnExceeding: {
        'x-ratelimit-limit': false,
        'x-ratelimit-remaining': false,
        'x-ratelimit-reset': false,
      },
      allowList: (request) => OPERATIONS_PATHS.has(request.url),
      errorResponseBuilder: (_request, context) =>
        new ProblemError(
          'rateLimited',
          `At most ${context.max} requests per minute per client; retry in ${context.after}.`,
        ),
    });
  },
  { name: 'rate-limit' },
);
