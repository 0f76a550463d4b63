import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './app.ts';
import { describeConfig, loadConfigOrExit } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { openDatabase } from './db/database.ts';
import { isDatabaseUnavailable } from './db/database-errors.ts';
import { migrateToLatest } from './db/migrations.ts';
import { childLoggerFactory, createLogger, terminalDestination } from './logger.ts';

/** SIGTERM to exit: well within ECS's 30 s stop timeout (the contract promises 10 s). */
const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * Starts the service: configuration, database, HTTP listener, migrations, and the
 * SIGTERM drain. Exits non-zero with a one-line reason when it cannot start.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, await terminalDestination());
  logger.info({ config: describeConfig(config) }, 'starting');

  let database;
  try {
    database = await openDatabase(config.database, {
      onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
      onDiscard: (reason) => logger.debug({ reason }, 'database connection discarded'),
      // Once per episode, not per request: a rotated password or a failover can fail
      // thousands of requests, and each one's 503 is in its request log line already.
      onUnavailable: (error) => {
        const { code, message } = error as { code?: unknown; message?: unknown };
        logger.error(
          { err: { code, message } },
          'database unavailable: answering 503 with Retry-After until it is back',
        );
      },
      onAvailable: (episode) => logger.warn(episode, 'database available again'),
    });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot open the database');
    if (error instanceof DataDirLockedError) process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  let draining = false;
  let schemaReady = !config.migrateOnStart;
  const app = await buildApp({
    config,
    database,
    isDraining: () => draining,
    isSchemaReady: () => schemaReady,
    server: {
      loggerInstance: logger,
      childLoggerFactory,
      // The ALB keeps idle connections 60 s: ours must outlive them, or it meets closed sockets.
      keepAliveTimeout: 65_000,
      requestTimeout: 30_000,
      connectionTimeout: 0,
    },
  });

  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, 'draining: readiness is 503, finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.error('drain deadline passed; exiting with requests still open');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Keep-alive connections that fall idle during the drain are closed at once rather
    // than after the keep-alive timeout (65 s): close() only sweeps them once.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
      clearInterval(sweep);
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot listen');
    await database.close();
    process.exit(1);
  }

  if (config.migrateOnStart) {
    // Listening first keeps /healthz answering (ECS must not kill a task whose database
    // is still coming up); the API answers 503 until the schema is current.
    let delay = 250;
    while (!draining) {
      try {
        const result = await migrateToLatest(database.db);
        const applied = result.results?.map((r) => r.migrationName) ?? [];
        logger.info({ applied }, applied.length > 0 ? 'migrated' : 'schema is current');
        schemaReady = true;
        break;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) {
          logger.fatal({ err: error }, 'migration failed');
          await app.close();
          await database.close();
          process.exit(1);
        }
        logger.warn(
          { err: { message: (error as Error).message }, retryInMs: delay },
          'database unavailable; retrying',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }
}

await main();
