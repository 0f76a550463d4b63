import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DatabaseSchema } from './schema.ts';

/** Connection pool figures for /metrics. */
export interface PoolState {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** The open database: the query builder, plus what operations need to know of it. */
export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly engine: 'postgres' | 'pglite';
  poolState(): PoolState;
  close(): Promise<void>;
}

/** Fail fast when the database is away: a request must not wait longer than this for it. */
const CONNECT_TIMEOUT_MS = 2_000;
const STATEMENT_TIMEOUT_MS = 5_000;

export interface DatabaseEvents {
  /** An idle pooled connection failed (e.g. the server restarted); the pool replaces it. */
  onIdleError?(error: Error): void;
}

export async function openDatabase(
  config: DatabaseConfig,
  events: DatabaseEvents = {},
): Promise<Database> {
  if (config.kind === 'pglite') return openPGlite(config.dataDir);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // Server-side limit, and a client-side one for when the server stops answering.
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
    keepAlive: true,
    application_name: 'cloud-todo-api',
    ssl:
      config.ssl === 'disable'
        ? false
        : config.ssl === 'require'
          ? { rejectUnauthorized: false }
          : { rejectUnauthorized: true, ...(config.ca === undefined ? {} : { ca: config.ca }) },
  });
  // The pool listens for errors only on idle clients. A connection that the server ends
  // while it is checked out (a restart or an RDS failover: 57P01) emits 'error' on the client
  // as well as failing its query; with no listener that event would end the process.
  pool.on('error', (error) => events.onIdleError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => events.onIdleError?.(error)));
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'postgres',
    poolState: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: () => db.destroy(),
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
    engine: 'pglite',
    poolState: () => ({ total: closed ? 0 : 1, idle: closed ? 0 : 1, waiting: 0 }),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
      await lock.release();
    },
  };
}
