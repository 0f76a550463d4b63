import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/client.ts';
import { ENGINES } from '../support/engines.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe.each(ENGINES)('operations endpoints on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/healthz answers without the database; /readyz checks it', async () => {
    expect((await call(t.app, 'GET', '/healthz')).status).toBe(200);
    expect((await call(t.app, 'GET', '/readyz')).status).toBe(200);
  });

  it('during start-up /healthz is 503 starting and the API 503, until the schema is ready', async () => {
    let ready = false;
    const starting = await startTestApp(engine, {}, { isSchemaReady: () => ready });
    try {
      const health = await call(starting.app, 'GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: 'starting' });
      expect((await call(starting.app, 'GET', '/readyz')).status).toBe(503);
      const api = await call(starting.app, 'POST', '/api/lists');
      expect(api.status).toBe(503);
      expect(api.headers['retry-after']).toBe('5');
      ready = true;
      expect((await call(starting.app, 'GET', '/healthz')).status).toBe(200);
      expect((await call(starting.app, 'GET', '/readyz')).status).toBe(200);
      expect((await call(starting.app, 'POST', '/api/lists')).status).toBe(201);
    } finally {
      await starting.close();
    }
  });

  it('serves the OpenAPI document and its UI', async () => {
    const document = await call<{ openapi: string; paths: Record<string, object> }>(
      t.app,
      'GET',
      '/api/openapi.json',
    );
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/lists',
        '/api/lists/{listId}',
        '/api/lists/{listId}/todos',
        '/api/lists/{listId}/todos/{todoId}',
      ]),
    );
    const ui = await call(t.app, 'GET', '/api/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('allows any origin, and answers preflights', async () => {
    const preflight = await call(t.app, 'OPTIONS', '/api/lists', {
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'content-type, idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('PATCH');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('idempotency-key');
    const created = await call(t.app, 'POST', '/api/lists', {
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(created.headers['access-control-allow-origin']).toBe('*');
    expect(String(created.headers['access-control-expose-headers'])).toContain('location');
  });

  it('sends security headers and a request id', async () => {
    const answer = await call(t.app, 'GET', '/healthz');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/metrics counts requests by route pattern and status, and shows the pool', async () => {
    const listId = (await call(t.app, 'POST', '/api/lists')).body.id;
    await call(t.app, 'GET', `/api/lists/${listId}/todos`);
    await call(t.app, 'GET', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA/todos');
    const metrics = await call(t.app, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.text;
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/lists\/:listId\/todos",status_code="200"\} 1/,
    );
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/lists\/:listId\/todos",status_code="404"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/api\/lists",status_code="201"\}/,
    );
    expect(text).not.toContain(listId);
    expect(text).toMatch(/^db_pool_connections \d+$/m);
    expect(text).toMatch(/^db_pool_idle_connections \d+$/m);
    expect(text).toMatch(/^db_pool_waiting_requests \d+$/m);
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('nodejs_active_handles{');
    // Prometheus reserves `_total` for counters (promtool check metrics enforces it).
    const gaugesNamedTotal = [...text.matchAll(/^# TYPE (\S+) (gauge|histogram|summary)$/gm)]
      .map((match) => match[1])
      .filter((name) => name?.endsWith('_total'));
    expect(gaugesNamedTotal).toEqual([]);
  });
});
