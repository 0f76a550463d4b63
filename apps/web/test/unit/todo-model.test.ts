// The model's optimistic updates, its persisted outbox, undo and conflicts, against the real
// API on PostgreSQL; only the connection in between is held or broken.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, newIdempotencyKey } from '../../src/api-client.ts';
import { OUTBOX_KEY, TodoModel } from '../../src/todo-model.ts';
import { startApiWithDatabase, type ApiFixture } from '../support/api.ts';
import { controlledFetch, type ControlledFetch } from '../support/controlled-fetch.ts';

let fixture: ApiFixture;
let server: ApiClient;
let net: ControlledFetch;
let model: TodoModel;
let listId: string;
let storage: MemoryStorage;
let api: ApiClient;

/** localStorage's interface over a Map: what the browser keeps across a reload. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** A model as a page load makes it; a short undo time and fast retries for the tests. */
const newModel = (id: string | undefined, undoMs = 50) =>
  new TodoModel({ api, listId: id, storage, undoMs, retryDelays: [50, 100] });

beforeAll(async () => {
  fixture = await startApiWithDatabase();
  server = new ApiClient({ baseUrl: fixture.api.url });
});

afterAll(async () => {
  await fixture?.close();
});

beforeEach(async () => {
  listId = (await server.createList(newIdempotencyKey())).id;
  net = controlledFetch();
  storage = new MemoryStorage();
  api = new ApiClient({ baseUrl: fixture.api.url, fetch: net.fetch, timeoutMs: 10_000 });
  model = newModel(listId);
  await model.idle();
});

const titles = () => model.state.todos.map((t) => `${t.completed ? 'x' : ' '} ${t.title}`);
const onServer = async () =>
  (await server.listTodos(listId)).map((t) => `${t.completed ? 'x' : ' '} ${t.title}`);

async function add(...newTitles: string[]) {
  for (const title of newTitles) model.addTodo(title);
  await model.idle();
}

describe('optimistic updates', () => {
  it('shows a new todo before the server answers, then keeps it', async () => {
    net.hold();
    expect(model.addTodo('  buy some cheese  ')).toBe(true);
    expect(titles()).toEqual(['  buy some cheese']);
    expect(model.state.busy).toBe(true);
    expect(await onServer()).toEqual([]);
    net.release();
    await model.idle();
    expect(titles()).toEqual(['  buy some cheese']);
    expect(await onServer()).toEqual(['  buy some cheese']);
  });

  it('refuses a blank title without a request', async () => {
    expect(model.addTodo('   ')).toBe(false);
    await model.idle();
    expect(net.log.filter((r) => r.startsWith('POST'))).toEqual([]);
  });

  it('sends changes to a todo that is still being created once it has its server id', async () => {
    net.hold();
    model.addTodo('feed the cat');
    const [todo] = model.state.todos;
    model.toggle(todo!.id);
    model.save(todo!.id, ' feed the dog ');
    expect(titles()).toEqual(['x feed the dog']);
    net.release();
    await model.idle();
    expect(model.state.unsaved).toBe(0);
    expect(await onServer()).toEqual(['x feed the dog']);
    // The item kept its identity on the page while the server gave it an id.
    expect(model.state.todos[0]?.id).toBe(todo!.id);
  });

  it('destroys a todo whose edit is emptied, and ignores an unchanged edit', async () => {
    await add('a', 'b');
    const [a, b] = model.state.todos;
    const before = net.log.length;
    model.save(a!.id, 'a');
    await model.idle();
    expect(net.log.length).toBe(before);
    model.save(b!.id, '   ');
    model.commit();
    await model.idle();
    expect(await onServer()).toEqual(['  a']);
  });

  it('toggles all and clears completed with one request each', async () => {
    await add('a', 'b', 'c');
    net.log.length = 0;
    model.toggleAll(true);
    expect(titles()).toEqual(['x a', 'x b', 'x c']);
    await model.idle();
    expect(net.log).toEqual([`PATCH /api/lists/${listId}/todos`]);
    model.toggle(model.state.todos[1]!.id);
    await model.idle();
    net.log.length = 0;
    model.clearCompleted();
    expect(titles()).toEqual(['  b']);
    model.commit();
    await model.idle();
    expect(net.log).toEqual([`DELETE /api/lists/${listId}/todos?completed=true`]);
    expect(await onServer()).toEqual(['  b']);
  });
});

describe('the outbox', () => {
  it('keeps a change that found no server, marked not saved, and sends it by itself', async () => {
    await add('a');
    net.breakConnection('before');
    model.addTodo('b');
    model.toggle(model.state.todos[0]!.id);
    await model.idle();
    // Still shown, marked, and kept in storage.
    expect(titles()).toEqual(['x a', '  b']);
    expect(model.state.unsaved).toBe(2);
    expect(model.state.offline).toBe(true);
    expect(model.state.unsavedIds).toEqual(new Set(model.state.todos.map((t) => t.id)));
    expect(storage.getItem(OUTBOX_KEY + listId)).toContain('"b"');
    net.repair();
    await expect.poll(() => model.state.unsaved, { timeout: 2_000 }).toBe(0);
    await model.idle();
    expect(titles()).toEqual(['x a', '  b']);
    expect(await onServer()).toEqual(['x a', '  b']);
    expect(storage.getItem(OUTBOX_KEY + listId)).toBeNull();
  });

  it('never duplicates a todo when the answer to its creation was lost', async () => {
    net.breakConnection('after');
    model.addTodo('only once');
    await model.idle();
    expect(titles()).toEqual(['  only once']);
    expect(await onServer()).toEqual(['  only once']);
    net.repair();
    model.retryNow();
    await model.idle();
    expect(titles()).toEqual(['  only once']);
    expect(await onServer()).toEqual(['  only once']);
    const posts = net.log.filter((r) => r.startsWith('POST'));
    expect(posts).toHaveLength(2);
  });

  it('survives a reload: the next page sends what the last one could not, once', async () => {
    net.breakConnection('after');
    model.addTodo('typed before the reload');
    model.toggle(model.state.todos[0]!.id);
    await model.idle();
    // The page goes away; a new one starts from storage.
    net.repair();
    const next = newModel(listId);
    expect(next.state.todos.map((t) => t.title)).toEqual(['typed before the reload']);
    expect(next.state.unsaved).toBe(2);
    await next.idle();
    expect(next.state.unsaved).toBe(0);
    expect(await onServer()).toEqual(['x typed before the reload']);
    // The new page read the list (with the todo) before its replay: still one item.
    expect(next.state.todos.map((t) => `${t.completed ? 'x' : ' '} ${t.title}`)).toEqual([
      'x typed before the reload',
    ]);
  });

  it('creates a new list only with its first todo, with one key across retries', async () => {
    net.log.length = 0;
    const fresh = newModel(undefined);
    expect(fresh.state.loaded).toBe(true);
    await fresh.idle();
    expect(net.log).toEqual([]);
    net.breakConnection('after');
    fresh.addTodo('first');
    await fresh.idle();
    expect(storage.getItem(`${OUTBOX_KEY}new`)).toContain('first');
    net.repair();
    // A reload during the outage: the same list creation, with the same key.
    const reloaded = newModel(undefined);
    await expect.poll(() => reloaded.state.listId, { timeout: 2_000 }).toBeDefined();
    await reloaded.idle();
    const created = reloaded.state.listId!;
    expect((await server.listTodos(created)).map((t) => t.title)).toEqual(['first']);
    // The first page, still retrying, reaches the same list: one key, one list.
    await expect.poll(() => fresh.state.listId, { timeout: 2_000 }).toBe(created);
    expect(storage.getItem(`${OUTBOX_KEY}new`)).toBeNull();
  });

  it('names a todo deleted elsewhere, and drops the change to it', async () => {
    await add('a', 'b');
    const [a, b] = await server.listTodos(listId);
    await server.deleteTodo(listId, a!.id);
    await server.deleteTodo(listId, b!.id);
    model.destroy(model.state.todos[0]!.id);
    model.commit();
    await model.idle();
    expect(model.state.notices).toEqual([]);
    model.toggle(model.state.todos[0]!.id);
    await model.idle();
    expect(model.state.notices).toEqual([{ kind: 'gone', title: 'b' }]);
    expect(titles()).toEqual([]);
    model.dismissNotices();
    expect(model.state.notices).toEqual([]);
  });

  it('gives up a change that finds nothing although its list is there, once, not in a loop', async () => {
    await add('kept');
    net.answerFromProxy(/^POST \/api\/lists\/[^/]+\/todos$/);
    model.addTodo('misrouted');
    await model.idle();
    net.answerFromProxy(undefined);
    // Sent, its list read (there), sent once more, given up with a notice.
    expect(net.log.filter((r) => r.startsWith('POST ')).length).toBe(3);
    expect(model.state.notices).toEqual([{ kind: 'refused', title: 'misrouted' }]);
    expect(model.state.deadLink).toBe(false);
    expect(model.state.unsaved).toBe(0);
    await expect.poll(titles).toEqual(['  kept']);
    expect(await onServer()).toEqual(['  kept']);
  });

  it('keeps what was typed on a dead link, and starts a new list with it', async () => {
    const dead = newModel('AAAAAAAAAAAAAAAAAAAAAA');
    await dead.idle();
    expect(dead.state.deadLink).toBe(true);
    dead.addTodo('not lost');
    await dead.idle();
    expect(dead.state.todos.map((t) => t.title)).toEqual(['not lost']);
    expect(dead.state.unsaved).toBe(1);
    dead.startNewList();
    await dead.idle();
    expect(dead.state.deadLink).toBe(false);
    expect(dead.state.listId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await server.listTodos(dead.state.listId!)).map((t) => t.title)).toEqual(['not lost']);
  });

  it('renames the list', async () => {
    model.rename('  Groceries ');
    expect(model.state.title).toBe('Groceries');
    await model.idle();
    expect((await server.getList(listId)).title).toBe('Groceries');
  });
});

describe('undo', () => {
  it('holds a deletion until the undo time is over, and takes it back on undo', async () => {
    await add('a', 'b');
    model.destroy(model.state.todos[0]!.id);
    expect(titles()).toEqual(['  b']);
    expect(model.state.undo).toMatchObject({ kind: 'destroy', title: 'a' });
    model.undo();
    expect(titles()).toEqual(['  a', '  b']);
    expect(model.state.undo).toBeUndefined();
    model.destroy(model.state.todos[0]!.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await model.idle();
    expect(model.state.undo).toBeUndefined();
    expect(await onServer()).toEqual(['  b']);
  });

  it('sends the held deletion when the next one comes', async () => {
    // An undo time no slow machine runs out of during the test.
    model = newModel(listId, 60_000);
    await model.idle();
    await add('a', 'b', 'c');
    model.toggle(model.state.todos[2]!.id);
    model.destroy(model.state.todos[0]!.id);
    model.clearCompleted();
    expect(model.state.undo).toMatchObject({ kind: 'clearCompleted' });
    await model.idle();
    expect(await onServer()).toEqual(['  b', 'x c']);
    model.undo();
    await model.idle();
    expect(titles()).toEqual(['  b', 'x c']);
  });
});
