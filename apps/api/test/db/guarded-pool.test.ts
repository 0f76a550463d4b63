// Connection hygiene and honest outcomes, statement by statement, against a real PostgreSQL
// that stalls (SIGSTOP) at chosen points: what each failure says about the write, and what
// the database really holds once it resumes.
import { setTimeout as sleep } from 'node:timers/promises';
import { startThrowawayCluster, type ThrowawayCluster } from '@cloud-todo/testkit';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { isDatabaseUnavailable } from '../../src/db/database-errors.ts';
import { writeOutcomeOf } from '../../src/db/guarded-pool.ts';

/** The error a promise rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** Resolves once `open` is called: lets a transaction run up to a chosen point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('GuardedPool on a database that stalls', () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let db: Kysely<unknown>;
  const discarded: string[] = [];

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('create table probe (label text not null)');
    await admin.end();
    database = await openDatabase(
      { kind: 'postgres', url: cluster.url, ssl: 'disable', ca: undefined, poolMax: 10 },
      { onDiscard: (reason) => discarded.push(reason) },
    );
    db = database.db as unknown as Kysely<unknown>;
  });
  afterAll(async () => {
    await cluster?.thaw();
    await database?.close();
    await cluster?.destroy();
  });

  const insert = (executor: Kysely<unknown>, label: string) =>
    sql`insert into probe (label) values (${label})`.execute(executor);

  it('tells a certain failure from an unknown outcome, and discards every unknown connection', async () => {
    const insideReady = gate();
    const commitReady = gate();
    const resume = gate();
    // Statements sent before the stall, the next one after it.
    const inside = db.transaction().execute(async (trx) => {
      await insert(trx, 'inside: first');
      insideReady.open();
      await resume.opened;
      await insert(trx, 'inside: second');
    });
    const atCommit = db.transaction().execute(async (trx) => {
      await insert(trx, 'at commit');
      commitReady.open();
      await resume.opened;
    });
    await Promise.all([insideReady.opened, commitReady.opened]);
    // Two idle connections in the pool besides the two in transactions.
    await Promise.all([
      sql`select pg_sleep(0.2)`.execute(db),
      sql`select pg_sleep(0.2)`.execute(db),
    ]);

    await cluster.freeze();
    resume.open();
    const started = Date.now();
    const [insideError, commitError, autocommitError, beginError] = await Promise.all([
      failureOf(inside),
      failureOf(atCommit),
      failureOf(insert(db, 'autocommit')),
      failureOf(db.transaction().execute((trx) => insert(trx, 'never sent'))),
    ]);
    const elapsed = Date.now() - started;

    for (const error of [insideError, commitError, autocommitError, beginError]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    }
    // Inside a transaction, before COMMIT: the discarded connection rolls it back.
    expect(writeOutcomeOf(insideError)).toBe('not-committed');
    // BEGIN without an answer: nothing else was sent.
    expect(writeOutcomeOf(beginError)).toBe('not-committed');
    // A COMMIT, or a single statement, that reached the server: it may still happen.
    expect(writeOutcomeOf(commitError)).toBe('unknown');
    expect(writeOutcomeOf(autocommitError)).toBe('unknown');
    // The client-side statement timeout (6 s), not the stall, bounds the wait.
    expect(elapsed).toBeLessThan(7_500);
    expect(discarded.length).toBeGreaterThanOrEqual(4);

    // While frozen, a new connection cannot even start: certain, and fast.
    const connectError = await failureOf(insert(db, 'no connection'));
    expect(writeOutcomeOf(connectError)).toBe('not-committed');

    await cluster.thaw();
    await sleep(500);
    const labels = (await sql<{ label: string }>`select label from probe`.execute(db)).rows.map(
      (row) => row.label,
    );
    // What "unknown" warns of happened: both committed once the server resumed.
    expect(labels).toContain('at commit');
    expect(labels).toContain('autocommit');
    // What "not committed" promised holds.
    expect(labels).not.toContain('inside: first');
    expect(labels).not.toContain('inside: second');
    expect(labels).not.toContain('never sent');
    expect(labels).not.toContain('no connection');

    const check = new pg.Client({ connectionString: cluster.url });
    await check.connect();
    try {
      const open = await check.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'cloud-todo-api' and state like 'idle in transaction%'",
      );
      expect(open.rows[0]?.n).toBe(0);
    } finally {
      await check.end();
    }
  });

  it('a refusal by the server is certain, and the connection stays in the pool', async () => {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      await admin.query('begin');
      await admin.query('lock table probe in access exclusive mode');
      const before = discarded.length;
      const started = Date.now();
      const error = await failureOf(insert(db, 'locked out'));
      expect((error as { code?: string }).code).toBe('55P03');
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(writeOutcomeOf(error)).toBe('not-committed');
      // lock_timeout (2 s), well before the statement timeout.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(discarded.length).toBe(before);
      await admin.query('commit');
    } finally {
      await admin.end();
    }
    await insert(db, 'after the lock');
    const labels = (await sql<{ label: string }>`select label from probe`.execute(db)).rows;
    expect(labels.map((row) => row.label)).toContain('after the lock');
    expect(labels.map((row) => row.label)).not.toContain('locked out');
  });
});
