import type { FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * One JSON line per event on stdout: request id, route, status, duration, and the ALB's
 * X-Amzn-Trace-Id on every line of a request. Credentials never reach a log line.
 * `destination` replaces stdout (see `terminalDestination`).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
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
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * For a person at a terminal (`npm start`), readable coloured lines instead of JSON; for a
 * log driver, a pipe or a file, undefined: JSON lines. pino-pretty is loaded only then.
 */
export async function terminalDestination(
  stdout: NodeJS.WriteStream = process.stdout,
): Promise<DestinationStream | undefined> {
  if (!stdout.isTTY) return undefined;
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    destination: stdout,
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
