// The change feed across instances: each instance NOTIFYs on one channel after a change and
// LISTENs on a connection of its own (a pooled connection cannot LISTEN: it is handed to
// other queries between uses). Local streams are told at once, without the round trip;
// notices from this instance are ignored when they come back. The changes of one turn of
// the event loop go out together, in one NOTIFY: under load, one statement carries many
// (a statement per change was the API's largest avoidable CPU cost per write). When the listening
// connection breaks (a database restart, an RDS failover) it reconnects with backoff and
// tells every local stream to resync, since notices sent meanwhile are gone.
// https://www.postgresql.org/docs/current/sql-notify.html
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { connectionSettings } from '../db/database.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import { ChangeHub, newEventId, type ChangeFeed } from './change-feed.ts';

export const CHANNEL = 'cloud_todo_list_changes';

/** Same limits as the pool's: fail fast when the database is away. */
const CONNECT_TIMEOUT_MS = 2_000;
const QUERY_TIMEOUT_MS = 5_000;
/** A listening connection that hangs (an RDS failover) is found by a ping this often. */
const PING_INTERVAL_MS = 15_000;
const MAX_BACKOFF_MS = 5_000;

export interface PostgresChangeFeedOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly config: Extract<DatabaseConfig, { kind: 'postgres' }>;
  readonly onError?: (error: Error, what: string) => void;
}

/** One change: list id, event id and, when the writer gave one, its client id. */
type Change = readonly [list: string, event: string, origin?: string];

/** A NOTIFY payload: the publishing instance and its changes. */
interface Notice {
  readonly i: string;
  readonly n: readonly Change[];
}

/** The notice of the version before batching: one change. */
interface EarlierNotice {
  readonly i: string;
  readonly l: string;
  readonly e: string;
  readonly o?: string;
}

/** PostgreSQL's payload limit is 8000 bytes; a notice stays well under it. */
const MAX_PAYLOAD_BYTES = 7_000;

/** The changes as payloads under the size limit: `{"i":instance,"n":[change,…]}` each. */
export function noticePayloads(instance: string, changes: readonly Change[]): string[] {
  const head = `{"i":${JSON.stringify(instance)},"n":[`;
  const payloads: string[] = [];
  let parts: string[] = [];
  let size = head.length + 2;
  for (const change of changes) {
    const part = JSON.stringify(change);
    const bytes = Buffer.byteLength(part) + 1;
    if (parts.length > 0 && size + bytes > MAX_PAYLOAD_BYTES) {
      payloads.push(`${head}${parts.join(',')}]}`);
      parts = [];
      size = head.length + 2;
    }
    parts.push(part);
    size += bytes;
  }
  if (parts.length > 0) payloads.push(`${head}${parts.join(',')}]}`);
  return payloads;
}

/** The client settings of `database.ts`'s pool, for the one listening connection. */
export function listenerClientConfig(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
): pg.ClientConfig {
  return {
    ...connectionSettings(config),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'cloud-todo-api-listen',
  };
}

export function postgresChangeFeed(options: PostgresChangeFeedOptions): ChangeFeed {
  const { db, config } = options;
  const onError = options.onError ?? (() => undefined);
  const instance = randomUUID();
  const hub = new ChangeHub();
  let client: pg.Client | undefined;
  let closed = false;
  let backoff = 250;
  let retry: NodeJS.Timeout | undefined;
  let ping: NodeJS.Timeout | undefined;

  // Logged once per outage: when the connection is lost, or the first reconnect fails; not at
  // every retry (a rotated password would otherwise log every few seconds until delivered).
  let reported = false;
  const drop = (target: pg.Client, error: Error | undefined) => {
    if (client !== target) return;
    client = undefined;
    clearInterval(ping);
    if (error && !reported) {
      reported = true;
      onError(error, 'change listener connection lost; reconnecting');
    }
    target.removeAllListeners('notification');
    target.on('error', () => undefined);
    void target.end().catch(() => undefined);
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  const connect = async () => {
    const next = new pg.Client(listenerClientConfig(config));
    next.on('error', (error) => drop(next, error));
    next.on('end', () => drop(next, undefined));
    next.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        const notice = JSON.parse(message.payload) as Notice | EarlierNotice;
        if (notice.i === instance) return;
        // An instance of the earlier version (during a deploy) sends one change per notice.
        const changes = 'n' in notice ? notice.n : [[notice.l, notice.e, notice.o] as const];
        for (const [list, event, origin] of changes) hub.emit(list, event, origin);
      } catch (error) {
        onError(error as Error, 'malformed change notice');
      }
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      drop(next, error as Error);
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    backoff = 250;
    reported = false;
    // Whatever was published while nobody listened is lost: every stream reads again.
    hub.resyncAll();
    ping = setInterval(() => {
      next.query('SELECT 1').catch((error: unknown) => drop(next, error as Error));
    }, PING_INTERVAL_MS);
    ping.unref();
  };

  // One sender at a time: the changes published while a NOTIFY is on its way (or stalled,
  // with the database) wait for the next one, so the feed never holds more than one pool
  // connection, notices keep their order, and close() waits for what is being sent.
  let pending: Change[] = [];
  let sending: Promise<void> | undefined;
  const send = async () => {
    // Everything published in this turn of the event loop goes out together.
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      const changes = pending;
      pending = [];
      try {
        for (const payload of noticePayloads(instance, changes)) {
          await sql`select pg_notify(${CHANNEL}, ${payload})`.execute(db);
        }
      } catch (error) {
        onError(error as Error, 'change notice not sent');
      }
    }
    sending = undefined;
  };

  void connect();

  return {
    publish(listId, origin) {
      const id = newEventId();
      hub.emit(listId, id, origin);
      pending.push(origin ? [listId, id, origin] : [listId, id]);
      sending ??= send();
      return sending;
    },
    subscribe: (listId, listener) => hub.subscribe(listId, listener),
    subscribers: () => hub.size,
    async close() {
      await sending;
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
