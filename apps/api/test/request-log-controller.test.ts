import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childLoggerFactory } from '../src/logger.ts';
import { call } from './support/client.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

describe('request logs and draining', () => {
  let t: TestApp;
  let draining = false;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    t = await startTestApp(
      'postgres',
      {},
      {
        server: { loggerInstance: pino({ level: 'info' }, stream), childLoggerFactory },
        isDraining: () => draining,
      },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes one JSON line per request with its id, the ALB trace id, route and status', async () => {
    const trace = 'Root=1-67891233-abcdef012345678912345678';
    const answer = await call(t.app, 'GET', '/api/lists/AAAAAAAAAAAAAAAAAAAAAA/todos', {
      headers: { 'x-amzn-trace-id': trace, authorization: 'Bearer secret-token' },
    });
    const mine = lines.filter((line) => line.reqId === answer.headers['x-request-id']);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request completed',
      traceId: trace,
      method: 'GET',
      route: '/api/lists/:listId/todos',
      statusCode: 404,
    });
    expect(typeof mine[0]?.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-token');
    // The list id is a credential: only a prefix reaches the log.
    expect(mine[0]?.url).toBe('/api/lists/AAAA…/todos');
    expect(JSON.stringify(lines)).not.toContain('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('turns readiness to 503 once draining, while health stays 200', async () => {
    expect((await call(t.app, 'GET', '/readyz')).status).toBe(200);
    draining = true;
    const ready = await call(t.app, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBeDefined();
    const health = await call(t.app, 'GET', '/healthz');
    expect(health.status).toBe(200);
    // Requests still arriving on open connections are served, and their connection closed.
    expect(health.headers.connection).toBe('close');
    draining = false;
  });
});
