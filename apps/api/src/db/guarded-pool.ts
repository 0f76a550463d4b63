import { performance } from 'node:perf_hooks';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';

/**
 * What a failed statement may have left behind, from the point of view of a write:
 * - `not-committed`: certainly nothing (the server refused it, it never reached the server, or
 *   it ran inside a transaction whose COMMIT was never sent: a discarded connection rolls back);
 * - `unknown`: it reached the server and no answer came back (a single statement in autocommit,
 *   or a COMMIT); it may run, and commit, once the server answers again.
 */
export type WriteOutcome = 'not-committed' | 'unknown';

const OUTCOME = Symbol('cloud-todo.write-outcome');

/** The outcome a database error carries; anything untagged is treated as `not-committed`. */
export function writeOutcomeOf(error: unknown): WriteOutcome {
  if (typeof error === 'object' && error !== null && OUTCOME in error) {
    return (error as { [OUTCOME]: WriteOutcome })[OUTCOME];
  }
  return 'not-committed';
}

function tag(error: unknown, outcome: WriteOutcome): unknown {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, OUTCOME, { value: outcome, configurable: true });
  }
  return error;
}

/** A statement was not sent because its connection had been abandoned before. */
export class AbandonedConnectionError extends Error {
  override name = 'AbandonedConnectionError';
  readonly code = 'CONNECTION_ABANDONED';
}

/** A statement was not sent because the connection's time budget was spent. */
export class DatabaseBudgetError extends Error {
  override name = 'DatabaseBudgetError';
  readonly code = 'BUDGET_EXHAUSTED';
}

export interface GuardedPoolOptions {
  /** Client-side limit of one statement, in ms: past it the connection is abandoned. */
  readonly queryTimeoutMs: number;
  /** Limit of all statements of one checkout (one request's work), in ms; 0 for none. */
  readonly checkoutBudgetMs: number;
  /** A connection was discarded instead of being returned to the pool. */
  readonly onDiscard?: (reason: string) => void;
  /** A checkout or statement failed; `error` is the failure as thrown. */
  readonly onFailure?: (error: unknown) => void;
  /** A statement succeeded. */
  readonly onSuccess?: () => void;
}

/**
 * The pool Kysely uses, with connection hygiene: a connection goes back to the pool only when
 * its state is known (no transaction open, no statement of it still pending on the server).
 *
 * Without this, a statement that timed out on the client (the server stalled, as during an
 * RDS failover) left its connection in the pool with the statement — or a BEGIN — still
 * queued on the server; once the server resumed, later single-statement writes on that
 * connection ran inside a transaction nobody would commit, and were acknowledged anyway.
 * So any failure the server did not itself report (timeout, socket error, protocol error), a
 * transaction left open, and a failed ROLLBACK all discard the connection: closing it makes
 * the server roll back whatever was open.
 */
export class GuardedPool implements PostgresPool {
  readonly #pool: pg.Pool;
  readonly #options: GuardedPoolOptions;
  readonly #clients = new WeakMap<pg.PoolClient, GuardedClient>();

  constructor(pool: pg.Pool, options: GuardedPoolOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      this.#options.onFailure?.(error);
      // Nothing was sent: whatever the request wanted to write, it did not happen.
      throw tag(error, 'not-committed');
    }
    let guarded = this.#clients.get(client);
    if (guarded === undefined) {
      guarded = new GuardedClient(client, this.#options);
      this.#clients.set(client, guarded);
    }
    guarded.checkOut();
    return guarded;
  }

  /** The pg pool's settings: Kysely builds its control connection (query cancel) from them. */
  get options(): pg.PoolConfig {
    return this.#pool.options;
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

type Statement = 'begin' | 'commit' | 'rollback' | 'other';

function statementOf(sql: string): Statement {
  // Kysely's transaction control is exactly these words; anything else is a statement.
  const word = /^\s*(begin|start transaction|commit|rollback)\b/i.exec(sql)?.[1]?.toLowerCase();
  if (word === 'begin' || word === 'start transaction') return 'begin';
  if (word === 'commit' || word === 'rollback') return word;
  return 'other';
}

/** SQLSTATEs after which the server closes the session (FATAL): the connection is gone. */
function endsSession(error: pg.DatabaseError): boolean {
  return (
    error.severity === 'FATAL' || error.severity === 'PANIC' || /^(08|57P)/.test(error.code ?? '')
  );
}

class GuardedClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #options: GuardedPoolOptions;
  #deadline = Infinity;
  #inTransaction = false;
  /** Why this connection must not be reused, once that is known. */
  #unusable: string | undefined;
  /** The outcome of the failure that made it unusable (what a later error must still say). */
  #outcome: WriteOutcome = 'not-committed';

  constructor(client: pg.PoolClient, options: GuardedPoolOptions) {
    this.#client = client;
    this.#options = options;
  }

  checkOut(): void {
    const budget = this.#options.checkoutBudgetMs;
    this.#deadline = budget > 0 ? performance.now() + budget : Infinity;
    this.#inTransaction = false;
    this.#unusable = undefined;
    this.#outcome = 'not-committed';
  }

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: readonly unknown[] = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      throw new Error('streaming queries (cursors) are not used by this API');
    }
    return this.#run(sqlOrCursor, parameters);
  }

  async #run<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    const statement = statementOf(sql);
    if (this.#unusable !== undefined) {
      // Nothing more is sent on an abandoned connection (Kysely's ROLLBACK after a failed
      // COMMIT, say); its error keeps the outcome of the failure that abandoned it, since
      // Kysely throws the ROLLBACK's error instead of the COMMIT's.
      const error = new AbandonedConnectionError(`connection abandoned: ${this.#unusable}`);
      throw tag(error, this.#outcome);
    }
    const remaining = this.#deadline - performance.now();
    if (remaining <= 0) {
      const error = new DatabaseBudgetError(
        `the database work of this request took longer than ${this.#options.checkoutBudgetMs} ms`,
      );
      this.#options.onFailure?.(error);
      // Not sent; an open transaction dies with the connection (release discards it).
      throw tag(error, 'not-committed');
    }
    try {
      // pg reads `query_timeout` per query too (its types list it only for the client).
      const config: pg.QueryConfig & { query_timeout: number } = {
        text: sql,
        values: parameters as unknown[],
        query_timeout: Math.ceil(Math.min(this.#options.queryTimeoutMs, remaining)),
      };
      const result = await this.#client.query<R & pg.QueryResultRow>(config);
      if (statement === 'begin') this.#inTransaction = true;
      else if (statement === 'commit' || statement === 'rollback') this.#inTransaction = false;
      this.#options.onSuccess?.();
      return result as unknown as PostgresQueryResult<R>;
    } catch (error) {
      this.#options.onFailure?.(error);
      if (error instanceof pg.DatabaseError) {
        // The server answered: the statement did not commit. After a FATAL the session is gone.
        if (endsSession(error)) this.#unusable = `the server ended the session (${error.code})`;
        if (statement === 'rollback') this.#unusable ??= 'ROLLBACK failed';
        throw tag(error, 'not-committed');
      }
      // No answer (timeout, socket closed, protocol error): the statement may still be queued
      // on the server, so this connection's state is unknown.
      this.#unusable = `no answer from the server: ${(error as Error).message}`;
      const uncommittable = this.#inTransaction && statement !== 'commit';
      this.#outcome = uncommittable || statement === 'begin' ? 'not-committed' : 'unknown';
      throw tag(error, this.#outcome);
    }
  }

  /** `discard`: Kysely asks for it after a failed ROLLBACK (already known here too). */
  release(discard?: boolean): void {
    const reason =
      this.#unusable ??
      (this.#inTransaction ? 'released with a transaction open' : undefined) ??
      (discard === true ? 'discarded by the query builder' : undefined);
    if (reason === undefined) {
      this.#client.release();
      return;
    }
    this.#options.onDiscard?.(reason);
    // An error makes pg-pool close the connection instead of keeping it; pg destroys the socket
    // when a statement is still pending, so this never waits for a stalled server.
    this.#client.release(new Error(reason));
  }
}
