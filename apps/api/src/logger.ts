import type { FastifyServerOptions } from 'fastify';
import { pino, type Logger } from 'pino';

/**
 * One JSON line per event on stdout: request id, route, status, duration, and the ALB's
 * X-Amzn-Trace-Id on every line of a request. Credentials never reach a log line.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.DB_PASSWORD',
        '*.DATABASE_URL',
        'err.config',
      ],
      censor: '[redacted]',
    },
  });
}

/** Binds the ALB's trace id to the logger of each request. */
export const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> =
  function (logger, bindings, options, rawRequest) {
    const trace = rawRequest.headers['x-amzn-trace-id'];
    return logger.child(
      typeof trace === 'string' ? { ...bindings, traceId: trace.slice(0, 200) } : bindings,
      options,
    );
  };
