import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.ts';
import { call, createList } from '../support/client.ts';
import type { Todo } from '../../src/schemas/todo.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe.each(ENGINES)('todos on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a todo with 201, Location and an absolute url from the forwarded host', async () => {
    const list = await createList(t.app);
    const created = await call(t.app, 'POST', list.todos, {
      json: { title: '  buy milk  ' },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'todo.example.org' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'buy milk', completed: false, order: 0 });
    expect(created.body.url).toBe(`https://todo.example.org${list.todos}/${created.body.id}`);
    expect(created.headers.location).toBe(created.body.url);
    expect(Date.parse(created.body.createdAt)).not.toBeNaN();

    const read = await call(t.app, 'GET', `${list.todos}/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('buy milk');
  });

  it('lists todos by order, then creation', async () => {
    const list = await createList(t.app);
    for (const [title, order] of [
      ['c', 2],
      ['a', 1],
      ['b', 1],
      ['z', 0],
    ] as const) {
      expect((await call(t.app, 'POST', list.todos, { json: { title, order } })).status).toBe(201);
    }
    const all = await call<Todo[]>(t.app, 'GET', list.todos);
    expect(all.status).toBe(200);
    expect(all.body.map((todo) => todo.title)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('merges a PATCH and keeps the fields not given', async () => {
    const list = await createList(t.app);
    const { body: todo } = await call(t.app, 'POST', list.todos, {
      json: { title: 'x', order: 5 },
    });
    const patched = await call(t.app, 'PATCH', `${list.todos}/${todo.id}`, {
      json: { completed: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: todo.id, title: 'x', order: 5, completed: true });
    const renamed = await call(t.app, 'PATCH', `${list.todos}/${todo.id}`, {
      json: { title: ' y ' },
    });
    expect(renamed.body).toMatchObject({ title: 'y', completed: true });
  });

  it('deletes one todo (204), then answers 404 for it', async () => {
    const list = await createList(t.app);
    const { body: todo } = await call(t.app, 'POST', list.todos, { json: { title: 'x' } });
    expect((await call(t.app, 'DELETE', `${list.todos}/${todo.id}`)).status).toBe(204);
    const again = await call(t.app, 'DELETE', `${list.todos}/${todo.id}`);
    expect(again.status).toBe(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body).toEqual([]);
  });

  it('toggles all with one PATCH on the collection and answers the whole array', async () => {
    const list = await createList(t.app);
    for (const title of ['a', 'b', 'c']) await call(t.app, 'POST', list.todos, { json: { title } });
    const done = await call<Todo[]>(t.app, 'PATCH', list.todos, { json: { completed: true } });
    expect(done.status).toBe(200);
    expect(done.body).toHaveLength(3);
    expect(done.body.every((todo) => todo.completed)).toBe(true);
    const undone = await call<Todo[]>(t.app, 'PATCH', list.todos, { json: { completed: false } });
    expect(undone.body.some((todo) => todo.completed)).toBe(false);
  });

  it('answers toggle-all with the list as that request left it, under concurrent toggles', async () => {
    const list = await createList(t.app);
    for (let i = 0; i < 10; i += 1)
      await call(t.app, 'POST', list.todos, { json: { title: `t${i}` } });
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(
        [true, false, true, false].map(async (completed) => ({
          completed,
          answer: await call<Todo[]>(t.app, 'PATCH', list.todos, { json: { completed } }),
        })),
      );
      for (const { completed, answer } of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body).toHaveLength(10);
        expect(answer.body.map((todo) => todo.completed)).toEqual(Array(10).fill(completed));
      }
    }
  });

  it('clears completed todos only with ?completed=true, and empties the list without it', async () => {
    const list = await createList(t.app);
    const { body: a } = await call(t.app, 'POST', list.todos, { json: { title: 'a' } });
    await call(t.app, 'POST', list.todos, { json: { title: 'b', completed: true } });
    expect((await call(t.app, 'DELETE', `${list.todos}?completed=true`)).status).toBe(204);
    const left = await call<Todo[]>(t.app, 'GET', list.todos);
    expect(left.body.map((todo) => todo.id)).toEqual([a.id]);
    expect((await call(t.app, 'DELETE', list.todos)).status).toBe(204);
    expect((await call<Todo[]>(t.app, 'GET', list.todos)).body).toEqual([]);
  });

  it('keeps lists apart: a todo id from another list is a 404 everywhere', async () => {
    const mine = await createList(t.app);
    const theirs = await createList(t.app);
    const { body: todo } = await call(t.app, 'POST', theirs.todos, { json: { title: 'secret' } });
    expect((await call(t.app, 'GET', `${mine.todos}/${todo.id}`)).status).toBe(404);
    expect(
      (await call(t.app, 'PATCH', `${mine.todos}/${todo.id}`, { json: { completed: true } }))
        .status,
    ).toBe(404);
    expect((await call(t.app, 'DELETE', `${mine.todos}/${todo.id}`)).status).toBe(404);
    expect((await call(t.app, 'GET', `${theirs.todos}/${todo.id}`)).body.completed).toBe(false);
    expect((await call<Todo[]>(t.app, 'GET', mine.todos)).body).toEqual([]);
  });

  it('answers 404 for the collection of an unknown list', async () => {
    const unknown = '/api/lists/AAAAAAAAAAAAAAAAAAAAAA/todos';
    for (const [method, json] of [
      ['GET'],
      ['POST', { title: 'x' }],
      ['PATCH', { completed: true }],
      ['DELETE'],
    ] as const) {
      const answer = await call(t.app, method, unknown, json ? { json } : {});
      expect(answer.status, method).toBe(404);
      expect(answer.body.type).toBe('/api/problems/not-found');
    }
  });
});
