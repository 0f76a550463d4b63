import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { DatabaseAvailability, type AvailabilityEvents } from './database-availability.ts';
import { GuardedPool } from './guarded-pool.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DatabaseSchema } from './schema.ts';

/** Connection pool figures for /metrics. */
export interface PoolState {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  /** Connections closed instead of reused since start, because their state was unknown. */
  readonly discarded: number;
}

/** The open database: the query builder, plus what operations need to know of it. */
export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  poolState(): PoolState;
  close(): Promise<void>;
}

/**
 * How long the API waits for PostgreSQL, in ms. The arithmetic (docs/database.md): a request's
 * database work ends within connect + checkout budget = 8 s: inside the SIGTERM drain (9 s),
 * Fastify's request timeout (30 s) and the ALB's idle timeout (60 s).
 */
export const DATABASE_TIMEOUTS = {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: 2_000,
  /** Server side: a statement that runs longer is cancelled (57014). */
  statementMs: 5_000,
  /** Server side: waiting for a row or table lock longer than this fails (55P03). */
  lockMs: 2_000,
  /** Server side: a session left inside a transaction this long is ended (second line). */
  idleInTransactionMs: 10_000,
  /** Client side: no answer to one statement within this, and the connection is abandoned. */
  queryMs: 6_000,
  /** Client side: all statements of one request (one pool checkout) together. */
  checkoutBudgetMs: 6_000,
} as const;

/**
 * The one-off migration task may hold locks and rewrite tables: its statements get minutes,
 * and its lock waits stay short so that it never queues the service's requests behind it.
 */
const MIGRATION_TIMEOUTS = {
  ...DATABASE_TIMEOUTS,
  statementMs: 10 * 60_000,
  lockMs: 10_000,
  queryMs: 11 * 60_000,
  checkoutBudgetMs: 0,
} as const;

export interface DatabaseEvents extends AvailabilityEvents {
  /** An idle pooled connection failed (e.g. the server restarted); the pool replaces it. */
  onIdleError?(error: Error): void;
  /** A connection was closed instead of being reused, because its state was unknown. */
  onDiscard?(reason: string): void;
}

export async function openDatabase(
  config: DatabaseConfig,
  events: DatabaseEvents = {},
  purpose: 'serve' | 'migrate' = 'serve',
): Promise<Database> {
  if (config.kind === 'pglite') return openPGlite(config.dataDir);
  const timeouts = purpose === 'migrate' ? MIGRATION_TIMEOUTS : DATABASE_TIMEOUTS;
  const pool = new pg.Pool({
    ...connectionSettings(config),
    max: config.poolMax,
    connectionTimeoutMillis: timeouts.connectMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
    application_name: purpose === 'migrate' ? 'cloud-todo-migrate' : 'cloud-todo-api',
  });
  // The pool listens for errors only on idle clients. A connection that the server ends
  // while it is checked out (a restart or an RDS failover: 57P01) emits 'error' on the client
  // as well as failing its query; with no listener that event would end the process.
  pool.on('error', (error) => events.onIdleError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => events.onIdleError?.(error)));
  const availability = new DatabaseAvailability(events);
  let discarded = 0;
  const guarded = new GuardedPool(pool, {
    queryTimeoutMs: timeouts.queryMs,
    checkoutBudgetMs: timeouts.checkoutBudgetMs,
    onDiscard: (reason) => {
      discarded += 1;
      events.onDiscard?.(reason);
    },
    onFailure: (error) => availability.failed(error),
    onSuccess: () => availability.succeeded(),
  });
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: guarded }) });
  return {
    db,
    poolState: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      discarded,
    }),
    close: () => db.destroy(),
  };
}

/**
 * Where, as whom and how securely to connect. With `DB_PASSWORD_FILE` the password is read at every new
 * connection, so a rotated password delivered into the file is used from the next connection
 * on, without a restart (docs/database.md). pg lets a connection string override a password
 * function, so then the URL is passed as its parts. For every client: the pool and the
 * change listener.
 */
export function connectionSettings(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
): pg.ClientConfig {
  const ssl =
    config.ssl === 'disable'
      ? false
      : config.ssl === 'require'
        ? { rejectUnauthorized: false }
        : { rejectUnauthorized: true, ...(config.ca === undefined ? {} : { ca: config.ca }) };
  const file = config.passwordFile;
  if (file === undefined) return { connectionString: config.url, ssl };
  const url = new URL(config.url);
  return {
    ssl,
    host: decodeURIComponent(url.hostname),
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.slice(1)),
    password: async () => (await readFile(file, 'utf8')).replace(/\r?\n$/, ''),
  };
}

async function openPGlite(dataDir: string): Promise<Database> {
  const lock = await acquireDataDirLock(dataDir);
  let pglite: PGlite;
  try {
    // Loaded only when used: a PostgreSQL deployment never pays for the embedded engine.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(join(dataDir, 'pglite'));
  } catch (error) {
    await lock.release();
    throw error;
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    poolState: () => ({ total: closed ? 0 : 1, idle: closed ? 0 : 1, waiting: 0, discarded: 0 }),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
      await lock.release();
    },
  };
}
