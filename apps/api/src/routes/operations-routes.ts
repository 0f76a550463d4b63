import type { FastifyPluginCallback } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.ts';
import { isSchemaCurrent } from '../db/migrations.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../plugins/error-handler.ts';

export interface OperationsRoutesOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** True once SIGTERM has been received: the load balancer must stop sending traffic. */
  readonly isDraining: () => boolean;
  /** False until this process has run (or waited for) the migrations. */
  readonly isSchemaReady: () => boolean;
}

/**
 * /healthz: the process answers (what the ALB and ECS check: it must not depend on the
 * database, or a database failover would make ECS replace every task).
 * /readyz: this process should get traffic (database reachable, schema current, not draining).
 */
export const operationsRoutes: FastifyPluginCallback<OperationsRoutesOptions> = (
  app,
  options,
  done,
) => {
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    if (options.isDraining()) {
      return reply.code(503).header('retry-after', '5').send({ status: 'draining' });
    }
    try {
      await sql`select 1`.execute(options.db);
      if (!options.isSchemaReady() || !(await isSchemaCurrent(options.db))) {
        return reply.code(503).header('retry-after', '5').send({ status: 'schema not current' });
      }
    } catch {
      return reply
        .code(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
        .send({ status: 'database unavailable' });
    }
    return { status: 'ready' };
  });
  done();
};
