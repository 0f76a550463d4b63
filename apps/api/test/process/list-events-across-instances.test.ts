import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createEngineDatabase, type EngineDatabase } from '../support/engines.ts';
import { openEventStream } from '../support/event-stream.ts';

// Two API processes on one PostgreSQL database, as behind the load balancer: a change made
// through either reaches the event streams of both (LISTEN/NOTIFY).
describe('list events across instances', () => {
  let db: EngineDatabase;
  let a: ApiProcess;
  let b: ApiProcess;
  beforeAll(async () => {
    db = await createEngineDatabase('postgres');
    a = await startApiProcess({ ...db.env, MIGRATE_ON_START: 'true' });
    b = await startApiProcess(db.env);
  });
  afterAll(async () => {
    await a?.process.stop('SIGKILL');
    await b?.process.stop('SIGKILL');
    await db?.cleanup();
  });

  it('relays a change made through one instance to the streams of the other within 1 s', async () => {
    const list = (await (await fetch(`${b.url}/api/lists`, { method: 'POST' })).json()) as {
      id: string;
    };
    const onA = await openEventStream(`${a.url}/api/lists/${list.id}/events`);
    const onB = await openEventStream(`${b.url}/api/lists/${list.id}/events`);
    try {
      await onA.next((e) => e.data === 'connected');
      await onB.next((e) => e.data === 'connected');
      // Both instances' listening connections have run their LISTEN.
      const database = await openDatabase(db.config);
      try {
        const listening = async () =>
          (
            await sql<{ count: string }>`select count(*)::text as count from pg_stat_activity
              where application_name = 'cloud-todo-api-listen' and datname = current_database()
                and state = 'idle' and (query like 'LISTEN %' or query = 'SELECT 1')`.execute(
              database.db,
            )
          ).rows[0]?.count;
        await expect.poll(listening, { timeout: 15_000 }).toBe('2');
      } finally {
        await database.close();
      }
      const started = Date.now();
      const created = await fetch(`${b.url}/api/lists/${list.id}/todos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'across-1' },
        body: JSON.stringify({ title: 'from b' }),
      });
      expect(created.status).toBe(201);
      const [fromA, fromB] = await Promise.all([
        onA.next((e) => e.event === 'change', 1_000),
        onB.next((e) => e.event === 'change', 1_000),
      ]);
      const elapsed = Date.now() - started;
      console.log(`change relayed to the other instance in ${elapsed} ms`);
      expect(elapsed).toBeLessThan(1_000);
      expect(JSON.parse(fromA.data)).toEqual({ listId: list.id });
      // One change, one event id, wherever it is read.
      expect(fromA.id).toBe(fromB.id);

      // SIGTERM ends the streams of the draining instance, and it still exits promptly.
      const stopping = a.process.stop('SIGTERM', 10_000);
      await onA.ended;
      expect(await stopping).toBe(0);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
