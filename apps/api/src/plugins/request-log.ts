import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * One log line per request, when it is answered: request id (and the ALB's trace id, bound
 * by the server's child logger factory), method, URL, route pattern, status and duration.
 * Replaces Fastify's two lines (received, completed) at half the cost.
 */
export const requestLog = fp(
  (app: FastifyInstance, _options, done) => {
    app.addHook('onResponse', (request, reply, next) => {
      const statusCode = reply.statusCode;
      const level = statusCode >= 500 ? 'error' : 'info';
      request.log[level](
        {
          req: {
            method: request.method,
            url: request.url,
            route: request.routeOptions.url,
            ip: request.ip,
          },
          res: { statusCode },
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
      next();
    });
    done();
  },
  { name: 'request-log' },
);
