import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { inProcessChangeFeed, type ChangeFeed } from './changes/change-feed.ts';
import { postgresChangeFeed } from './changes/postgres-change-feed.ts';
import type { Config, DatabaseConfig } from './config.ts';
import type { Database } from './db/database.ts';
import { cors } from './plugins/cors.ts';
import { docs } from './plugins/docs.ts';
import { clientErrorHandler, errorHandler, frameworkErrors } from './plugins/error-handler.ts';
import { jsonBody } from './plugins/json-body.ts';
import { RequestLogController } from './request-log-controller.ts';
import { metrics } from './plugins/metrics.ts';
import { rateLimit } from './plugins/rate-limit.ts';
import { readiness } from './plugins/readiness.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { webApp } from './plugins/web-app.ts';
import { eventRoutes } from './routes/event-routes.ts';
import { listRoutes } from './routes/list-routes.ts';
import { createOriginOf } from './routes/representations.ts';
import { todoRoutes } from './routes/todo-routes.ts';

export interface AppOptions {
  readonly config: Pick<Config, 'rateLimitMax' | 'webRoot' | 'trustProxyHops'> & {
    /** The origin of generated URLs; by default the request's own (see `createOriginOf`). */
    readonly publicBaseUrl?: string | undefined;
    /** With a PostgreSQL server, changes reach the other instances through LISTEN/NOTIFY. */
    readonly database?: DatabaseConfig;
  };
  readonly database: Database;
  /** Logger and timeouts, from the server; tests leave them out (silent, defaults). */
  readonly server?: Pick<
    FastifyServerOptions,
    'childLoggerFactory' | 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'
  > & { readonly loggerInstance?: FastifyBaseLogger };
  /** True once the server is shutting down. */
  readonly isDraining?: () => boolean;
  /** Where changes are published; by default chosen from `config.database`. */
  readonly changes?: ChangeFeed;
  /** False until migrations have run: until then the API answers 503. */
  readonly isSchemaReady?: () => boolean;
}

/** Largest accepted body: a todo is at most 1000 characters, so 64 KiB is ample. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the whole application, ready to `inject()` or `listen()`; never listens itself. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    ...options.server,
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind the ALB: the client's address, proto and host come from X-Forwarded-*.
    // proxy-addr calls this with hop 0 = the socket's peer; trust that many hops.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    ajv: {
      customOptions: {
        // A wrong type or an unknown field is a client's mistake to report, not to repair.
        coerceTypes: false,
        removeAdditional: false,
        allErrors: false,
      },
    },
    // While draining, requests that still arrive on open keep-alive connections are served
    // (with `Connection: close`, below) rather than refused: nothing that reached us fails.
    return503OnClosing: false,
    logController: new RequestLogController(),
    // Errors before routing (an undecodable URL, a request Node cannot parse) are problems too.
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const isSchemaReady = options.isSchemaReady ?? (() => true);
  const isDraining = options.isDraining ?? (() => false);

  await app.register(errorHandler, { navigationFallback: config.webRoot !== undefined });
  await app.register(jsonBody);
  await app.register(readiness, { db: database.db, isDraining, isSchemaReady });
  await app.register(securityHeaders);
  await app.register(cors);
  await app.register(rateLimit, { max: config.rateLimitMax });
  await app.register(metrics, { poolState: () => database.poolState() });
  await app.register(docs);
  // Every successful change of a list is told to its event streams, on every instance.
  const changes =
    options.changes ??
    (config.database?.kind === 'postgres'
      ? postgresChangeFeed({
          db: database.db,
          config: config.database,
          onError: (error, what) => app.log.warn({ err: error }, what),
        })
      : inProcessChangeFeed());
  app.addHook('onClose', async () => changes.close());
  app.addHook('onResponse', (request, reply, next) => {
    const listId = (request.params as { listId?: unknown } | undefined)?.listId;
    if (
      typeof listId === 'string' &&
      reply.statusCode < 300 &&
      // A replayed create (same Idempotency-Key) changed nothing.
      reply.getHeader('idempotent-replayed') === undefined &&
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      request.method !== 'OPTIONS'
    ) {
      const origin = request.headers['x-client-id'];
      void changes.publish(
        listId,
        typeof origin === 'string' && /^[\w-]{1,64}$/.test(origin) ? origin : undefined,
      );
    }
    next();
  });
  await app.register(eventRoutes, { db: database.db, changes, isDraining });
  const originOf = createOriginOf(config.publicBaseUrl);
  await app.register(listRoutes, { db: database.db, originOf });
  await app.register(todoRoutes, { db: database.db, originOf });
  await app.register(webApp, { webRoot: config.webRoot });
  await app.ready();
  return app;
}
