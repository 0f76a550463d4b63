import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '@cloud-todo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

interface Answer {
  status: number;
  body: unknown;
}
interface TodoBody {
  title: string;
  completed: boolean;
  order: number;
  url: string;
}

/** jQuery's `$.ajax({type, url, data, contentType: 'application/json'})`, as plain XHR. */
const AJAX = `
globalThis.ajax = (method, url, data) => new Promise((resolve, reject) => {
  const xhr = new XMLHttpRequest();
  xhr.open(method, url);
  xhr.setRequestHeader('Content-Type', 'application/json');
  xhr.onload = () => resolve({
    status: xhr.status,
    body: xhr.responseText === '' ? null : JSON.parse(xhr.responseText),
  });
  xhr.onerror = () => reject(new Error(method + ' ' + url + ': network error (CORS?)'));
  xhr.send(data === undefined ? null : JSON.stringify(data));
});
`;

/**
 * The behaviours of the Todo-Backend spec (todobackend.com), run from a page of another
 * origin in Chromium the way its jQuery runner calls an API: every request sets
 * `Content-Type: application/json`, bodies or not (`$.ajax({contentType: 'application/json'})`),
 * so DELETEs arrive with that header and no body, and each one needs a CORS preflight.
 */
describe.each(ENGINES)('a Todo-Backend client in Chromium on %s', (engine) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let pageServer: Server;
  let root: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const apiOrigin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const list = await t.app.inject({ method: 'POST', url: '/api/lists' });
    root = `${apiOrigin}/api/lists/${list.json<{ id: string }>().id}/todos`;
    // The spec runner's page, from an origin of its own.
    pageServer = createServer((_request, response) => {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>spec</title>');
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const { port } = pageServer.address() as { port: number };
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.evaluate(AJAX);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    await t?.close();
  });

  const ajax = (method: string, url: string, data?: unknown): Promise<Answer> =>
    page.evaluate(
      `ajax(${JSON.stringify(method)}, ${JSON.stringify(url)}, ${JSON.stringify(data)})`,
    );
  const todosAtRoot = async () => {
    const answer = await ajax('GET', root);
    expect(answer.status).toBe(200);
    return answer.body as TodoBody[];
  };
  const create = async (data: object) => {
    const answer = await ajax('POST', root, data);
    expect(answer.status).toBe(201);
    return answer.body as TodoBody;
  };

  it('the root: GET an array, POST adds, DELETE empties', async () => {
    expect((await ajax('DELETE', root)).status).toBe(204);
    expect(await todosAtRoot()).toEqual([]);
    const created = await create({ title: 'a todo' });
    expect(created.title).toBe('a todo');
    expect((await todosAtRoot()).map((todo) => todo.title)).toEqual(['a todo']);
    await create({ title: 'another' });
    expect(await todosAtRoot()).toHaveLength(2);
    expect((await ajax('DELETE', root)).status).toBe(204);
    expect(await todosAtRoot()).toEqual([]);
  });

  it('a todo: not completed at first, and read, changed and deleted through its url', async () => {
    const created = await create({ title: 'walk the dog' });
    expect(created.completed).toBe(false);
    expect(created.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/lists\/[\w-]{22}\/todos\/[\w-]{22}$/,
    );
    expect((await ajax('GET', created.url)).body).toEqual(created);

    const renamed = await ajax('PATCH', created.url, { title: 'walk the cat' });
    expect((renamed.body as TodoBody).title).toBe('walk the cat');
    const completed = await ajax('PATCH', created.url, { completed: true });
    expect((completed.body as TodoBody).completed).toBe(true);
    const reread = (await ajax('GET', created.url)).body as TodoBody;
    expect([reread.title, reread.completed]).toEqual(['walk the cat', true]);

    expect((await ajax('DELETE', created.url)).status).toBe(204);
    expect((await todosAtRoot()).map((todo) => todo.url)).not.toContain(created.url);
    expect((await ajax('GET', created.url)).status).toBe(404);
  });

  it('keeps `order`, as created and as changed', async () => {
    const created = await create({ title: 'ordered', order: 523 });
    expect(created.order).toBe(523);
    expect(((await ajax('GET', created.url)).body as TodoBody).order).toBe(523);
    const moved = await ajax('PATCH', created.url, { order: 95 });
    expect((moved.body as TodoBody).order).toBe(95);
    expect(((await ajax('GET', created.url)).body as TodoBody).order).toBe(95);
  });

  it('clears completed todos with the header and no body', async () => {
    expect((await ajax('DELETE', root)).status).toBe(204);
    const done = await create({ title: 'done', completed: true });
    await create({ title: 'open' });
    expect((await ajax('DELETE', `${root}?completed=true`)).status).toBe(204);
    const left = await todosAtRoot();
    expect(left.map((todo) => todo.title)).toEqual(['open']);
    expect(left.map((todo) => todo.url)).not.toContain(done.url);
  });
});
