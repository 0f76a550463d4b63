import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.ts';
import { call } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe.each(ENGINES)('lists on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a list with an unguessable id and absolute urls', async () => {
    const created = await call(t.app, 'POST', '/api/lists', {
      json: { title: ' Groceries ' },
      headers: { host: 'localhost:8080' },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.body).toMatchObject({
      title: 'Groceries',
      url: `http://localhost:8080/api/lists/${created.body.id}`,
      todosUrl: `http://localhost:8080/api/lists/${created.body.id}/todos`,
    });
    const read = await call(t.app, 'GET', `/api/lists/${created.body.id}`, {
      headers: { host: 'localhost:8080' },
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('creates a list without any body', async () => {
    const created = await call(t.app, 'POST', '/api/lists');
    expect(created.status).toBe(201);
    expect(created.body.title).toBe('');
  });

  it('never hands out the same id twice', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i += 1) ids.add((await call(t.app, 'POST', '/api/lists')).body.id);
    expect(ids.size).toBe(20);
  });

  it('answers 404 for an unknown list and 400 for a malformed id', async () => {
    const unknown = await call(t.app, 'GET', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    const malformed = await call(t.app, 'GET', '/api/lists/not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]).toMatchObject({ in: 'params', pointer: '/listId' });
  });
});

describe.each(ENGINES)('renaming lists on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores the trimmed title and answers the list', async () => {
    const created = await call(t.app, 'POST', '/api/lists');
    const renamed = await call(t.app, 'PATCH', `/api/lists/${created.body.id}`, {
      json: { title: '  Groceries for Saturday ' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.body.id, title: 'Groceries for Saturday' });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updatedAt),
    );
    const read = await call(t.app, 'GET', `/api/lists/${created.body.id}`);
    expect(read.body.title).toBe('Groceries for Saturday');
    const cleared = await call(t.app, 'PATCH', `/api/lists/${created.body.id}`, {
      json: { title: '' },
    });
    expect(cleared.body.title).toBe('');
  });

  it('refuses a bad title with 400 and an unknown list with 404', async () => {
    const created = await call(t.app, 'POST', '/api/lists');
    const url = `/api/lists/${created.body.id}`;
    for (const json of [{}, { title: 'x'.repeat(201) }, { title: 'a\u0007b' }, { title: 1 }]) {
      const answer = await call(t.app, 'PATCH', url, { json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.headers['content-type']).toMatch(/problem\+json/);
    }
    const extra = await call(t.app, 'PATCH', url, { json: { title: 'ok', id: 'x' } });
    expect(extra.status).toBe(400);
    const unknown = await call(t.app, 'PATCH', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA', {
      json: { title: 'x' },
    });
    expect(unknown.status).toBe(404);
  });
});
