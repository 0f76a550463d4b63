// The model's optimistic updates and rollback, against the real API on PostgreSQL; only the
// connection in between is held or broken.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, newIdempotencyKey } from '../../src/api-client.ts';
import { TodoModel, type ListOpener } from '../../src/todo-model.ts';
import { startApiWithDatabase, type ApiFixture } from '../support/api.ts';
import { controlledFetch, type ControlledFetch } from '../support/controlled-fetch.ts';

let fixture: ApiFixture;
let server: ApiClient;
let net: ControlledFetch;
let model: TodoModel;
let listId: string;

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
  const api = new ApiClient({ baseUrl: fixture.api.url, fetch: net.fetch, timeoutMs: 10_000 });
  const opener: ListOpener = {
    open: () => Promise.resolve(listId),
    loaded: () => undefined,
    notFound: () => false,
  };
  model = new TodoModel(api, opener);
  model.start();
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
    expect(model.state.failures).toEqual([]);
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
    await model.idle();
    expect(net.log).toEqual([`DELETE /api/lists/${listId}/todos?completed=true`]);
    expect(await onServer()).toEqual(['  b']);
  });
});

describe('rollback', () => {
  it('returns to the server’s truth when a write fails, and keeps the change for a retry', async () => {
    await add('a');
    net.breakConnection('before');
    model.addTodo('b');
    model.toggle(model.state.todos[0]!.id);
    expect(titles()).toEqual(['x a', '  b']);
    await model.idle();
    expect(titles()).toEqual(['  a']);
    expect(model.state.failures.map((f) => f.task.kind)).toEqual(['add', 'toggle']);
    expect(model.state.failures.every((f) => f.error.retryable && f.error.status === 0)).toBe(true);
    net.repair();
    model.retry();
    expect(model.state.failures).toEqual([]);
    await model.idle();
    expect(titles()).toEqual(['x a', '  b']);
    expect(await onServer()).toEqual(['x a', '  b']);
  });

  it('never duplicates a todo when the answer to its creation was lost', async () => {
    net.breakConnection('after');
    model.addTodo('only once');
    await model.idle();
    expect(titles()).toEqual([]);
    expect(await onServer()).toEqual(['  only once']);
    net.repair();
    model.retry();
    await model.idle();
    expect(titles()).toEqual(['  only once']);
    expect(await onServer()).toEqual(['  only once']);
    const posts = net.log.filter((r) => r.startsWith('POST'));
    expect(posts).toHaveLength(2);
  });

  it('retries a change that depends on a failed creation after it, in order', async () => {
    net.hold();
    net.breakConnection('before');
    model.addTodo('new');
    model.toggle(model.state.todos[0]!.id);
    net.release();
    await model.idle();
    expect(model.state.failures.map((f) => f.task.kind)).toEqual(['add', 'toggle']);
    net.repair();
    model.retry();
    await model.idle();
    expect(await onServer()).toEqual(['x new']);
  });

  it('drops failed changes only when the user dismisses them, then shows the server’s list', async () => {
    await add('a');
    net.breakConnection('before');
    model.addTodo('lost on purpose');
    await model.idle();
    expect(model.state.failures).toHaveLength(1);
    net.repair();
    model.dismiss();
    await model.idle();
    expect(model.state.failures).toEqual([]);
    expect(titles()).toEqual(['  a']);
    expect(await onServer()).toEqual(['  a']);
  });

  it('shows what another browser deleted meanwhile, without an error for a delete', async () => {
    await add('a', 'b');
    const [a, b] = await server.listTodos(listId);
    await server.deleteTodo(listId, a!.id);
    await server.deleteTodo(listId, b!.id);
    model.destroy(model.state.todos[0]!.id);
    await model.idle();
    expect(model.state.failures).toEqual([]);
    model.toggle(model.state.todos[0]!.id);
    await model.idle();
    expect(model.state.failures).toHaveLength(1);
    expect(model.state.failures[0]?.error.status).toBe(404);
    expect(model.state.failures[0]?.error.retryable).toBe(false);
    expect(titles()).toEqual([]);
  });

  it('keeps the opening of the list for a retry, even when the user dismisses', async () => {
    let attempts = 0;
    const api = new ApiClient({ baseUrl: fixture.api.url, fetch: net.fetch });
    const opening = new TodoModel(api, {
      open: () => {
        attempts += 1;
        return attempts === 1
          ? Promise.reject(new ApiError(503, 'unavailable'))
          : Promise.resolve(listId);
      },
      loaded: () => undefined,
      notFound: () => false,
    });
    opening.start();
    opening.addTodo('typed meanwhile');
    await opening.idle();
    expect(opening.state.failures.map((f) => f.task.kind)).toEqual(['open', 'load', 'add']);
    opening.dismiss();
    await opening.idle();
    expect(opening.state.failures.map((f) => f.task.kind)).toEqual(['open', 'load']);
    opening.retry();
    await opening.idle();
    expect(opening.state.failures).toEqual([]);
    expect(opening.state.loaded).toBe(true);
    expect(opening.state.listId).toBe(listId);
  });
});
