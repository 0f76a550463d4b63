import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { List } from '../src/schemas/list.ts';
import type { Todo } from '../src/schemas/todo.ts';
import { call, createList } from './support/client.ts';
import { ENGINES } from './support/engines.ts';
import { expectProblem } from './support/expect-problem.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

describe.each(ENGINES)('Idempotency-Key on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a retried POST of a todo answers the first result and creates nothing more', async () => {
    const list = await createList(t.app);
    const send = () =>
      call<Todo>(t.app, 'POST', list.todos, {
        json: { title: 'pay rent' },
        headers: { 'idempotency-key': 'retry-1' },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body).toHaveLength(1);
  });

  it('a retried POST of a list answers the same list', async () => {
    const send = () =>
      call<List>(t.app, 'POST', '/api/lists', {
        json: { title: 'a' },
        headers: { 'idempotency-key': 'list-1' },
      });
    const [first, second] = [await send(), await send()];
    expect(second.body.id).toBe(first.body.id);
  });

  it('the same key with another body → 422, and nothing is created', async () => {
    const list = await createList(t.app);
    const headers = { 'idempotency-key': 'reused' };
    expect((await call(t.app, 'POST', list.todos, { json: { title: 'a' }, headers })).status).toBe(
      201,
    );
    const other = await call(t.app, 'POST', list.todos, { json: { title: 'b' }, headers });
    expectProblem(other, 422, 'idempotency-key-reused');
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body.map((todo) => todo.title)).toEqual([
      'a',
    ]);
  });

  it('keys are scoped by list: the same key on two lists creates one todo in each', async () => {
    const [a, b] = [await createList(t.app), await createList(t.app)];
    const headers = { 'idempotency-key': 'shared' };
    expect((await call(t.app, 'POST', a.todos, { json: { title: 'x' }, headers })).status).toBe(
      201,
    );
    expect((await call(t.app, 'POST', b.todos, { json: { title: 'x' }, headers })).status).toBe(
      201,
    );
    expect((await call<Todo[]>(t.app, 'GET', b.todos)).body).toHaveLength(1);
  });

  it('concurrent requests with one key create one row and all answer it', async () => {
    const list = await createList(t.app);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call<Todo>(t.app, 'POST', list.todos, {
          json: { title: 'once' },
          headers: { 'idempotency-key': 'concurrent' },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body).toHaveLength(1);
  });

  it('a failed create does not consume the key', async () => {
    const unknown = '/api/lists/AAAAAAAAAAAAAAAAAAAAAA/todos';
    const headers = { 'idempotency-key': 'after-404' };
    expectProblem(await call(t.app, 'POST', unknown, { json: { title: 'x' }, headers }), 404);
    const list = await createList(t.app);
    expect((await call(t.app, 'POST', list.todos, { json: { title: 'x' }, headers })).status).toBe(
      201,
    );
  });

  it('a malformed key → 400', async () => {
    const list = await createList(t.app);
    const answer = await call(t.app, 'POST', list.todos, {
      json: { title: 'x' },
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expectProblem(answer, 400, 'validation');
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body).toEqual([]);
  });
});
