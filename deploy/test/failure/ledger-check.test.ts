// The database check the failure tests end with must be able to fail: a lost create, a lost
// update, a duplicate and an unexplained row are each found, on a real schema.
import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import {
  createTestDatabase,
  findOrStartPostgres,
  type PostgresServer,
  type TestDatabase,
} from '@cloud-todo/testkit';
import { runMigrations } from '../../local/api-instance.ts';
import { checkLedger } from '../support/check-ledger.ts';
import { Ledger } from '../support/ledger.ts';

let server: PostgresServer;
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  server = await findOrStartPostgres();
  database = await createTestDatabase(server.adminUrl, 'ledger');
  await runMigrations(database.url);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
  await server?.dispose?.();
});

async function store(id: string, list: string, title: string, completed = false) {
  await client.query('insert into todos (id, list_id, title, completed) values ($1, $2, $3, $4)', [
    id,
    list,
    title,
    completed,
  ]);
}

/** A ledger with one acknowledged list, and `w0-1` created and updated once. */
function ledgerWithOneTodo(list: string): Ledger {
  const ledger = new Ledger();
  ledger.lists.add(list);
  const todo = ledger.beginCreate(list, 'w0-1');
  todo.id = `${list}-t1`;
  (todo.versions[0] as { acknowledged: boolean }).acknowledged = true;
  todo.versions.push({ title: 'w0-1 v1', completed: true, acknowledged: true });
  return ledger;
}

test('finds lost creates, lost updates, duplicates and unexplained rows', async () => {
  const list = 'list-a';
  await client.query("insert into lists (id, title) values ($1, 'load')", [list]);
  const ledger = ledgerWithOneTodo(list);

  // Nothing stored: the acknowledged create is lost.
  expect((await checkLedger(database.url, ledger)).lost).toBe(1);

  // Stored at its first version: the acknowledged update is lost.
  await store(`${list}-t1`, list, 'w0-1');
  const stale = await checkLedger(database.url, ledger);
  expect(stale.lost).toBe(1);
  expect(stale.findings.join()).toMatch(/last acknowledged/);

  // The acknowledged version: clean.
  await client.query("update todos set title = 'w0-1 v1', completed = true where id = $1", [
    `${list}-t1`,
  ]);
  expect(await checkLedger(database.url, ledger)).toMatchObject({
    lost: 0,
    duplicated: 0,
    unexplained: 0,
    findings: [],
  });

  // A later version sent without an answer may have been applied: still clean.
  ledger.todos
    .get('w0-1')
    ?.versions.push({ title: 'w0-1 v2', completed: false, acknowledged: false });
  await client.query("update todos set title = 'w0-1 v2', completed = false where id = $1", [
    `${list}-t1`,
  ]);
  expect((await checkLedger(database.url, ledger)).findings).toEqual([]);

  // The same create stored twice, and a row no create explains.
  await store(`${list}-t1-again`, list, 'w0-1');
  await store(`${list}-x`, list, 'w9-9');
  const bad = await checkLedger(database.url, ledger);
  expect(bad.duplicated).toBe(1);
  expect(bad.unexplained).toBe(1);
});

test('finds an acknowledged list that is missing', async () => {
  const ledger = new Ledger();
  ledger.lists.add('list-never-stored');
  const check = await checkLedger(database.url, ledger);
  expect(check.listsLost).toBe(1);
  expect(check.lost).toBe(1);
});
