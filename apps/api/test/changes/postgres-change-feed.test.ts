import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent, ChangeFeed } from '../../src/changes/change-feed.ts';
import pg from 'pg';
import {
  CHANNEL,
  listenerClientConfig,
  noticePayloads,
  postgresChangeFeed,
} from '../../src/changes/postgres-change-feed.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createEngineDatabase, type EngineDatabase } from '../support/engines.ts';

/** Collects a subscriber's events; `next` waits for one not yet read that matches. */
function collect(feed: ChangeFeed, listId: string) {
  const events: ChangeEvent[] = [];
  const stop = feed.subscribe(listId, (event) => events.push(event));
  let read = 0;
  const take = (match: (event: ChangeEvent) => boolean) => {
    const index = events.findIndex((event, i) => i >= read && match(event));
    if (index >= 0) read = index + 1;
    return index >= 0 ? events[index] : undefined;
  };
  return {
    events,
    stop,
    async next(match: (event: ChangeEvent) => boolean, timeoutMs = 5_000) {
      let found: ChangeEvent | undefined;
      // An event may arrive before the wait begins (a notice can beat its NOTIFY's answer).
      await expect
        .poll(() => (found ??= take(match)) !== undefined, { timeout: timeoutMs, interval: 10 })
        .toBe(true);
      return found!;
    },
  };
}

// Two feeds on one database stand for two API instances.
describe('the PostgreSQL change feed', () => {
  let engine: EngineDatabase;
  let database: Database;
  let a: ChangeFeed;
  let b: ChangeFeed;
  const errors: string[] = [];

  beforeAll(async () => {
    engine = await createEngineDatabase('postgres');
    database = await openDatabase(engine.config);
    if (engine.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
    const onError = (_error: Error, what: string) => void errors.push(what);
    a = postgresChangeFeed({ db: database.db, config: engine.config, onError });
    b = postgresChangeFeed({ db: database.db, config: engine.config, onError });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    await engine?.cleanup();
  });

  /** Listening connections whose LISTEN has completed (their last statement, now idle). */
  const listeners = async () =>
    (
      await sql<{ count: string }>`select count(*)::text as count from pg_stat_activity
        where application_name = 'cloud-todo-api-listen' and datname = current_database()
          and state = 'idle' and (query like 'LISTEN %' or query = 'SELECT 1')`.execute(database.db)
    ).rows[0]?.count;

  it('relays a change to the other instance once, and to its own subscribers at once', async () => {
    await expect.poll(listeners, { timeout: 15_000 }).toBe('2');
    const onA = collect(a, 'list-1');
    const onB = collect(b, 'list-1');
    const other = collect(a, 'list-2');
    await b.publish('list-1', 'tab-7');
    const local = onB.events.at(-1);
    expect(local).toMatchObject({ type: 'change', listId: 'list-1', origin: 'tab-7' });
    const relayed = await onA.next((e) => e.type === 'change');
    expect(relayed).toEqual(local);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // B ignores its own notice when it comes back; list-2 hears nothing.
    expect(onB.events.filter((e) => e.type === 'change')).toHaveLength(1);
    expect(other.events).toEqual([]);
    expect(a.subscribers()).toBe(2);
    onA.stop();
    other.stop();
    onB.stop();
    expect(a.subscribers()).toBe(0);
  });

  it('sends the changes of one moment in few NOTIFYs, each relayed in order', async () => {
    await expect.poll(listeners, { timeout: 15_000 }).toBe('2');
    if (engine.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
    // A third listener counts the notifications themselves.
    const counter = new pg.Client(listenerClientConfig(engine.config));
    await counter.connect();
    let notifications = 0;
    counter.on('notification', () => (notifications += 1));
    await counter.query(`LISTEN ${CHANNEL}`);
    try {
      const lists = Array.from({ length: 120 }, (_, n) => `list-batch-${n}`);
      const onA = lists.map((list) => collect(a, list));
      // 120 writes answered in one turn of the event loop.
      await Promise.all(lists.map((list, n) => b.publish(list, `tab-${n}`)));
      for (const [n, stream] of onA.entries()) {
        const relayed = await stream.next((e) => e.type === 'change');
        expect(relayed).toMatchObject({ listId: lists[n], origin: `tab-${n}` });
        stream.stop();
      }
      // One payload (120 short changes fit in its 7000 bytes), not 120 statements.
      await expect.poll(() => notifications).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(notifications).toBe(1);
    } finally {
      await counter.end();
    }
  });

  it('relays the one-change notice of an instance of the earlier version (during a deploy)', async () => {
    await expect.poll(listeners, { timeout: 15_000 }).toBe('2');
    const onA = collect(a, 'list-earlier');
    const notice = { i: 'an-old-instance', l: 'list-earlier', e: 'old-1', o: 'tab-3' };
    await sql`select pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`.execute(database.db);
    const relayed = await onA.next((e) => e.type === 'change');
    expect(relayed).toMatchObject({ listId: 'list-earlier', id: 'old-1', origin: 'tab-3' });
    onA.stop();
  });

  it('splits the changes into payloads under PostgreSQL 8000-byte limit, none lost', () => {
    const changes = Array.from(
      { length: 500 },
      (_, n) => [`list-${n}`.padEnd(22, 'x'), `e${n}`, 'c'.repeat(64)] as const,
    );
    const payloads = noticePayloads('f3c0c5e4-0000-4000-8000-000000000000', changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
    const back = payloads.flatMap((p) => (JSON.parse(p) as { n: string[][] }).n);
    expect(back).toEqual(changes.map((c) => [...c]));
  });

  it('reconnects after losing its listening connection, and tells its streams to resync', async () => {
    await expect.poll(listeners, { timeout: 15_000 }).toBe('2');
    const onA = collect(a, 'list-3');
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'cloud-todo-api-listen' and datname = current_database()`.execute(
      database.db,
    );
    // Notices sent meanwhile are lost: the stream is told to read the list again.
    await onA.next((e) => e.type === 'resync', 15_000);
    expect(errors.filter((what) => what.startsWith('change listener connection lost'))).not.toEqual(
      [],
    );
    await expect.poll(listeners, { timeout: 15_000 }).toBe('2');
    await b.publish('list-3');
    await onA.next((e) => e.type === 'change' && e.listId === 'list-3');
    onA.stop();
  });
});
