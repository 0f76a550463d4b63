import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/schemas/todo.ts';
import { call, createList, type Answer } from '../support/client.ts';
import { ENGINES } from '../support/engines.ts';
import { expectProblem } from '../support/expect-problem.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// Every bad request gets the documented 4xx with a clear message, stores nothing, and
// leaves the server serving (each case checks the list afterwards).
describe.each(ENGINES)('bad input on %s', (engine) => {
  let t: TestApp;
  let list: { id: string; todos: string };
  let existing: Todo;

  beforeAll(async () => {
    t = await startTestApp(engine);
    list = await createList(t.app);
    existing = (await call<Todo>(t.app, 'POST', list.todos, { json: { title: 'keep me' } })).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function expectListUnchanged() {
    const all = await call<Todo[]>(t.app, 'GET', list.todos);
    expect(all.status).toBe(200);
    expect(all.body).toEqual([existing]);
  }

  const post = (payload: string, contentType = 'application/json') =>
    call(t.app, 'POST', list.todos, { payload, headers: { 'content-type': contentType } });

  it('malformed JSON → 400 malformed-json', async () => {
    for (const payload of ['{"title":', '{title: "x"}', "{'title':'x'}", '{"title":"x"}}']) {
      expectProblem(await post(payload), 400, 'malformed-json');
    }
    await expectListUnchanged();
  });

  it('an empty body where one is required → 400 saying so', async () => {
    const answer = await post('');
    expectProblem(answer, 400, 'validation');
    expect(answer.body.detail).toBe('body is required: send a JSON object');
    await expectListUnchanged();
  });

  it('a wrong content type → 415', async () => {
    expectProblem(
      await post('title=x', 'application/x-www-form-urlencoded'),
      415,
      'unsupported-media-type',
    );
    expectProblem(await post('{"title":"x"}', 'text/plain'), 415, 'unsupported-media-type');
    expectProblem(await post('<title>x</title>', 'application/xml'), 415, 'unsupported-media-type');
    await expectListUnchanged();
  });

  it('missing, extra and wrongly typed fields → 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, '/title'],
      [{ title: 'x', extra: 1 }, '/extra'],
      [{ title: 5 }, '/title'],
      [{ title: null }, '/title'],
      [{ title: 'x', completed: 'true' }, '/completed'],
      [{ title: 'x', completed: 1 }, '/completed'],
      [['x'], '/'],
      ['x', '/'],
      [null, '/'],
    ];
    for (const [json, pointer] of cases) {
      const answer = await post(JSON.stringify(json));
      expectProblem(answer, 400, 'validation');
      expect(answer.body.errors?.[0]?.pointer, JSON.stringify(json)).toBe(pointer);
      expect(answer.body.detail).toContain(pointer === '/' ? 'body' : pointer);
    }
    await expectListUnchanged();
  });

  it('empty, whitespace-only and control-character titles → 400', async () => {
    for (const title of ['', ' ', '\t\n ', '\u00a0', 'a\u0000b', 'bell\u0007', 'two\nlines']) {
      const answer = await post(JSON.stringify({ title }));
      expectProblem(answer, 400, 'validation');
      expect(answer.body.errors?.[0]?.pointer).toBe('/title');
    }
    await expectListUnchanged();
  });

  it('titles of 1001 characters and of 10 kB → 400; of 10 MB → 413', async () => {
    expectProblem(await post(JSON.stringify({ title: 'a'.repeat(1001) })), 400, 'validation');
    expectProblem(await post(JSON.stringify({ title: 'a'.repeat(10_000) })), 400, 'validation');
    expectProblem(
      await post(JSON.stringify({ title: 'a'.repeat(10_000_000) })),
      413,
      'body-too-large',
    );
    await expectListUnchanged();
  });

  it('stores emoji, RTL and combining characters exactly; 1000 characters is the limit', async () => {
    const other = await createList(t.app);
    const titles = [
      '🎉 party 👩‍👩‍👧',
      'مرحبا بالعالم',
      'שלום',
      'e\u0301te\u0301',
      '🙂'.repeat(1000),
      'a'.repeat(1000),
    ];
    for (const title of titles) {
      const created = await call<Todo>(t.app, 'POST', other.todos, { json: { title } });
      expect(created.status).toBe(201);
      expect((await call<Todo>(t.app, 'GET', `${other.todos}/${created.body.id}`)).body.title).toBe(
        title,
      );
    }
    expectProblem(
      await call(t.app, 'POST', other.todos, { json: { title: '🙂'.repeat(1001) } }),
      400,
    );
  });

  it('negative, too large, fractional and non-numeric order → 400', async () => {
    for (const order of [-1, 2147483648, 1e20, 1.5, '5', 'first', null, true]) {
      const answer = await post(JSON.stringify({ title: 'x', order }));
      expectProblem(answer, 400, 'validation');
      expect(answer.body.errors?.[0]?.pointer).toBe('/order');
    }
    const largest = await call<Todo>(t.app, 'POST', (await createList(t.app)).todos, {
      json: { title: 'last', order: 2147483647 },
    });
    expect(largest.body.order).toBe(2147483647);
    await expectListUnchanged();
  });

  it('unknown ids → 404, malformed ids → 400', async () => {
    const unknownList = '/api/lists/AAAAAAAAAAAAAAAAAAAAAA';
    expectProblem(await call(t.app, 'GET', unknownList), 404, 'not-found');
    expectProblem(
      await call(t.app, 'GET', `${list.todos}/AAAAAAAAAAAAAAAAAAAAAA`),
      404,
      'not-found',
    );
    for (const id of [
      'x',
      'A'.repeat(23),
      'A'.repeat(21) + '!',
      '..%2F..%2Fetc',
      '%00'.repeat(22),
    ]) {
      expectProblem(await call(t.app, 'GET', `/api/lists/${id}`), 400, 'validation');
      expectProblem(
        await call(t.app, 'PATCH', `${list.todos}/${id}`, { json: { completed: true } }),
        400,
      );
      expectProblem(await call(t.app, 'DELETE', `${list.todos}/${id}`), 400);
    }
    await expectListUnchanged();
  });

  it('PATCH with nothing to change → 400; with an unknown field → 400', async () => {
    const url = `${list.todos}/${existing.id}`;
    expectProblem(await call(t.app, 'PATCH', url, { json: {} }), 400, 'validation');
    expectProblem(await call(t.app, 'PATCH', url, { json: { id: 'other' } }), 400, 'validation');
    expectProblem(await call(t.app, 'PATCH', url, { json: { title: '  ' } }), 400, 'validation');
    expectProblem(await call(t.app, 'PATCH', list.todos, { json: {} }), 400, 'validation');
    expectProblem(await call(t.app, 'PATCH', list.todos, { json: { completed: 'yes' } }), 400);
    expectProblem(await call(t.app, 'DELETE', `${list.todos}?completed=maybe`), 400);
    await expectListUnchanged();
  });

  it('concurrent PATCH and DELETE of one todo: each answers cleanly, the todo ends deleted', async () => {
    const other = await createList(t.app);
    for (let round = 0; round < 5; round += 1) {
      const { body: todo } = await call<Todo>(t.app, 'POST', other.todos, {
        json: { title: 'race' },
      });
      const url = `${other.todos}/${todo.id}`;
      const answers = await Promise.all([
        call(t.app, 'PATCH', url, { json: { completed: true } }),
        call(t.app, 'DELETE', url),
        call(t.app, 'PATCH', url, { json: { title: 'renamed' } }),
        call(t.app, 'DELETE', url),
      ]);
      const [patch1, delete1, patch2, delete2] = answers.map((answer) => answer.status);
      expect([200, 404]).toContain(patch1);
      expect([200, 404]).toContain(patch2);
      expect([delete1, delete2].sort()).toEqual([204, 404]);
      expect((await call(t.app, 'GET', url)).status).toBe(404);
    }
    expect((await call<Todo[]>(t.app, 'GET', other.todos)).body).toEqual([]);
  });
});

describe('a flood from one client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { rateLimitMax: 20 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gets 429 with Retry-After, keyed by the address the load balancer saw', async () => {
    const flooder = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let i = 0; i < 30; i += 1) {
      const answer = await call(t.app, 'GET', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA', {
        headers: flooder,
      });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses.filter((status) => status === 404)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    if (limited === undefined) throw new Error('no 429 after 30 requests');
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another client behind the same load balancer is not affected; health checks never are.
    const other = await call(t.app, 'POST', '/api/lists', {
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(other.status).toBe(201);
    expect((await call(t.app, 'GET', '/healthz', { headers: flooder })).status).toBe(200);
  });
});
