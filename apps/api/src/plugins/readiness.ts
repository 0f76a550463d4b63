import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { isSchemaCurrent } from '../db/migrations.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import { ProblemError } from '../problems.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from './error-handler.ts';

export interface ReadinessOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** True once SIGTERM has been received: the load balancer must stop sending traffic. */
  readonly isDraining: () => boolean;
  /** False until this process has run (or waited for) the migrations: its start-up phase. */
  readonly isSchemaReady: () => boolean;
}

/**
 * Whether this process should get traffic, in one place (docs/api.md, "Start-up, health
 * and readiness"):
 * - `/healthz` (the ALB's and ECS's check) is 503 `starting` until the migrations are done,
 *   then 200 for the life of the process. It never asks the database afterwards: a failover
 *   must not make ECS replace every task, nor the ALB drop every target.
 * - `/readyz` is 200 only while the database answers, the schema is current and the process
 *   is not draining (for deploy scripts and the local topology, which wait for it).
 * - During start-up the API answers 503 with Retry-After; while draining, each answer closes
 *   its keep-alive connection so clients move to another instance.
 */
export const readiness = fp(
  (app: FastifyInstance, options: ReadinessOptions, done) => {
    const { db, isDraining, isSchemaReady } = options;
    const retryAfter = String(DATABASE_RETRY_AFTER_SECONDS);

    app.addHook('onRequest', (request, reply, next) => {
      reply.header('x-request-id', request.id);
      if (isDraining()) reply.header('connection', 'close');
      if (!isSchemaReady() && request.url.startsWith('/api/lists')) {
        next(
          new ProblemError('databaseUnavailable', 'The database is being prepared.', {
            headers: { 'retry-after': retryAfter },
          }),
        );
        return;
      }
      next();
    });

    const unready = (reply: FastifyReply, status: string) =>
      reply.code(503).header('retry-after', retryAfter).send({ status });

    app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, (_request, reply) => {
      if (!isSchemaReady()) return unready(reply, 'starting');
      return reply.send({ status: 'ok' });
    });

    app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
      if (isDraining()) return unready(reply, 'draining');
      if (!isSchemaReady()) return unready(reply, 'starting');
      try {
        // One indexed read answers both: the database answers, and the schema is current.
        if (!(await isSchemaCurrent(db))) return unready(reply, 'schema not current');
      } catch {
        return unready(reply, 'database unavailable');
      }
      return reply.send({ status: 'ready' });
    });
    done();
  },
  { name: 'readiness' },
);
