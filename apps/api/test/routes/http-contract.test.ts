import { connect, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createList, type Answer, type Body } from '../support/client.ts';
import { ENGINES } from '../support/engines.ts';
import { expectProblem } from '../support/expect-problem.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const json = { 'content-type': 'application/json' };

describe.each(ENGINES)('the HTTP contract on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  const addTodo = async (todos: string, title: string) =>
    (await call(t.app, 'POST', todos, { json: { title } })).body;

  describe('an empty body with Content-Type: application/json', () => {
    it('is no body where none is required', async () => {
      const created = await call(t.app, 'POST', '/api/lists', { headers: json, payload: '' });
      expect(created.status, created.text).toBe(201);
      const todos = `/api/lists/${created.body.id}/todos`;
      const a = await addTodo(todos, 'a');
      const b = await addTodo(todos, 'b');
      await call(t.app, 'PATCH', new URL(b.url).pathname, { json: { completed: true } });

      const one = await call(t.app, 'DELETE', new URL(a.url).pathname, { headers: json });
      expect(one.status, one.text).toBe(204);
      const completed = await call(t.app, 'DELETE', `${todos}?completed=true`, { headers: json });
      expect(completed.status, completed.text).toBe(204);
      await addTodo(todos, 'c');
      const all = await call(t.app, 'DELETE', todos, { headers: json, payload: '' });
      expect(all.status, all.text).toBe(204);
      expect((await call(t.app, 'GET', todos)).body).toEqual([]);
    });

    it('is still a 400 where a body is required', async () => {
      const { todos } = await createList(t.app);
      for (const method of ['POST', 'PATCH'] as const) {
        const answer = await call(t.app, method, todos, { headers: json, payload: '' });
        expectProblem(answer, 400, 'validation');
        expect(answer.body.detail).toBe('body is required: send a JSON object');
      }
    });
  });

  describe('text stored is text sent', () => {
    it('refuses a charset other than UTF-8 (415) and bytes that are not UTF-8 (400)', async () => {
      const { todos } = await createList(t.app);
      const latin1 = Buffer.from('{"title":"caf\xe9"}', 'latin1');
      const declared = await call(t.app, 'POST', todos, {
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
        payload: latin1,
      });
      expectProblem(declared, 415, 'unsupported-media-type');
      expectProblem(await call(t.app, 'POST', todos, { headers: json, payload: latin1 }), 400);
      const utf8 = await call(t.app, 'POST', todos, {
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        payload: Buffer.from('{"title":"café"}', 'utf8'),
      });
      expect(utf8.status).toBe(201);
      expect(utf8.body.title).toBe('café');
      expect((await call<Body[]>(t.app, 'GET', todos)).body.map((todo) => todo.title)).toEqual([
        'café',
      ]);
    });

    it('refuses lone surrogates and keeps escaped pairs', async () => {
      const { todos } = await createList(t.app);
      for (const escaped of ['\\ud83d', '\\ude00 x', 'x \\uDE00\\uD83D']) {
        const answer = await call(t.app, 'POST', todos, {
          headers: json,
          payload: `{"title":"${escaped}"}`,
        });
        expectProblem(answer, 400, 'malformed-json');
      }
      const pair = await call(t.app, 'POST', todos, {
        headers: json,
        payload: '{"title":"smile \\ud83d\\ude00"}',
      });
      expect(pair.status).toBe(201);
      expect(pair.body.title).toBe('smile 😀');
    });

    it('refuses titles of invisible characters only, and titles of more than one line', async () => {
      const { id, todos } = await createList(t.app);
      for (const title of ['\u200b', '\u200b\u200c\u200d', '\ufeff', '\u3164', ' \u2800 ']) {
        expectProblem(await call(t.app, 'POST', todos, { json: { title } }), 400, 'validation');
        expectProblem(
          await call(t.app, 'PATCH', `/api/lists/${id}`, { json: { title } }),
          400,
          'validation',
        );
      }
      for (const title of ['one\u2028two', 'one\u2029two']) {
        expectProblem(await call(t.app, 'POST', todos, { json: { title } }), 400, 'validation');
        expectProblem(
          await call(t.app, 'POST', '/api/lists', { json: { title } }),
          400,
          'validation',
        );
      }
      expect((await call(t.app, 'POST', todos, { json: { title: 'x\u200by' } })).status).toBe(201);
    });
  });

  describe('every error is problem+json', () => {
    it('a known path with another method → 405 with Allow', async () => {
      const { id, todos } = await createList(t.app);
      const put = await call(t.app, 'PUT', `/api/lists/${id}`, { json: { title: 'x' } });
      expectProblem(put, 405, 'method-not-allowed');
      expect(put.headers.allow).toBe('GET, HEAD, OPTIONS, PATCH');
      const post = await call(t.app, 'POST', `${todos}/q3nH5tqC0m2S6m9b1mXhVg`, { json: {} });
      expectProblem(post, 405, 'method-not-allowed');
      expect(post.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH');
      const trace = await t.app.inject({ method: 'TRACE', url: '/api/lists' });
      expect(trace.statusCode).toBe(405);
      expect(trace.headers.allow).toBe('OPTIONS, POST');
      expect(trace.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectProblem(await call(t.app, 'GET', '/api/nothing'), 404, 'not-found');
    });

    it('an undecodable URL → 400; an OPTIONS that is no preflight → 400', async () => {
      for (const url of ['/api/lists/%ZZ', '/api/lists/%E0%A4%A/todos']) {
        expectProblem(await call(t.app, 'GET', url), 400, 'bad-request');
      }
      const options = await call(t.app, 'OPTIONS', '/api/lists');
      expectProblem(options, 400, 'bad-request');
      expect(options.body.detail).toContain('preflight');
    });
  });
});

describe('generated URLs and the trust boundary', () => {
  const forged = {
    'x-forwarded-proto': 'javascript',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-for': '203.0.113.9',
  };
  const urlOf = (answer: Answer) => [answer.body.url, answer.headers.location];
  let apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });
  const start = async (config: Parameters<typeof startTestApp>[1]) => {
    const app = await startTestApp('pglite', config);
    apps = [...apps, app];
    return app;
  };

  it('trusts no forwarded header from a direct client (TRUST_PROXY_HOPS=0)', async () => {
    const t = await start({ trustProxyHops: 0 });
    const created = await call(t.app, 'POST', '/api/lists', {
      headers: { ...forged, host: 'api.example:8080' },
    });
    for (const url of urlOf(created)) expect(url).toMatch(/^http:\/\/api\.example:8080\/api\//);
  });

  it('rate-limits a direct client by its socket address, whatever X-Forwarded-For says', async () => {
    const t = await start({ trustProxyHops: 0, rateLimitMax: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const answer = await call(t.app, 'GET', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA', {
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('behind a trusted proxy: its host, and only http or https as the scheme', async () => {
    const t = await start({ trustProxyHops: 1 });
    const forgedScheme = await call(t.app, 'POST', '/api/lists', { headers: forged });
    for (const url of urlOf(forgedScheme)) expect(url).toMatch(/^http:\/\/evil\.example\/api\//);
    const https = await call(t.app, 'POST', '/api/lists', {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'todo.example.com' },
    });
    for (const url of urlOf(https)) expect(url).toMatch(/^https:\/\/todo\.example\.com\/api\//);
    const notAHost = await call(t.app, 'POST', '/api/lists', {
      headers: { 'x-forwarded-host': 'evil.example/x?' },
    });
    expectProblem(notAHost, 400, 'bad-request');
  });

  it('with PUBLIC_BASE_URL, that origin whatever the headers say', async () => {
    const t = await start({ trustProxyHops: 1, publicBaseUrl: 'https://todo.example.com' });
    const created = await call(t.app, 'POST', '/api/lists', { headers: forged });
    for (const url of urlOf(created)) expect(url).toMatch(/^https:\/\/todo\.example\.com\/api\//);
  });
});

describe('errors before routing, on a real socket', () => {
  let t: TestApp;
  let port: number;
  let webRoot: string;
  const connections: Socket[] = [];
  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'cloud-todo-web-'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title>');
    t = await startTestApp('pglite', { webRoot });
    t.app.server.on('connection', (socket: Socket) => connections.push(socket));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  /** Writes `request` raw and reads the whole answer (the server closes the connection). */
  const raw = (request: string, onConnect?: (socket: Socket) => void) =>
    new Promise<{ status: number; headers: string; body: Body }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        if (onConnect) onConnect(socket);
        else socket.write(request);
      });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = data.split('\r\n\r\n');
        resolve({
          status: Number(head.split(' ')[1]),
          headers: head.toLowerCase(),
          body: JSON.parse(body) as Body,
        });
      });
    });

  it('a method Node cannot parse → 501, headers over 16 KiB → 431, both problem+json', async () => {
    const foo = await raw('FOO /api/lists HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(foo.status).toBe(501);
    expect(foo.headers).toContain('content-type: application/problem+json');
    expect(foo.body.type).toBe('/api/problems/not-implemented');
    const big = await raw(
      `GET /api/lists HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    expect(big.body.type).toBe('/api/problems/headers-too-large');
  });

  it('a request that does not arrive in time → 408 problem+json', async () => {
    const timeout = Object.assign(new Error('request timeout'), {
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
    });
    const answer = await raw('', (socket) => {
      socket.write('POST /api/lists HTTP/1.1\r\nHost: x\r\n');
      // What Node emits when `requestTimeout` passes, on the server side of this socket.
      setTimeout(() => {
        for (const connection of connections) t.app.server.emit('clientError', timeout, connection);
      }, 50);
    });
    expect(answer.status).toBe(408);
    expect(answer.body.type).toBe('/api/problems/request-timeout');
  });

  it('a path the static handler refuses → problem+json, not a 400 "Forbidden"', async () => {
    // Raw: a client library would resolve the dot segments before sending them.
    const refused = await raw(
      'GET /assets/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(refused.status).toBe(403);
    expect(refused.headers).toContain('content-type: application/problem+json');
    expect(refused.body.type).toBe('/api/problems/forbidden');
    expect(refused.body.status).toBe(403);
  });
});
