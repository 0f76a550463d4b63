import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessChangeFeed } from '../../src/changes/change-feed.ts';
import { eventRoutes, HEARTBEAT_MS } from '../../src/routes/event-routes.ts';
import { ENGINES } from '../support/engines.ts';
import { openEventStream, type EventStream } from '../support/event-stream.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe.each(ENGINES)('list events on %s', (engine) => {
  let t: TestApp;
  let url: string;
  const streams: EventStream[] = [];
  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t?.close();
  });

  const newList = async (): Promise<string> => {
    const response = await fetch(`${url}/api/lists`, { method: 'POST' });
    return ((await response.json()) as { id: string }).id;
  };
  const open = async (listId: string, headers: Record<string, string> = {}) => {
    const stream = await openEventStream(`${url}/api/lists/${listId}/events`, headers);
    streams.push(stream);
    return stream;
  };

  it('streams a change event for every change of the list, and none for others', async () => {
    const listId = await newList();
    const other = await newList();
    const stream = await open(listId);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-store');
    await stream.next((e) => e.event === 'comment' && e.data === 'connected');

    await fetch(`${url}/api/lists/${other}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'elsewhere' }),
    });
    const started = Date.now();
    const created = await fetch(`${url}/api/lists/${listId}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'here' }),
    });
    const change = await stream.next((e) => e.event !== 'comment', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(change).toMatchObject({ event: 'change', data: JSON.stringify({ listId }) });
    expect(change.id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);

    const todo = (await created.json()) as { url: string };
    // The writer's X-Client-Id comes with the event, so that it can skip its own changes.
    await fetch(todo.url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-client-id': 'tab-1' },
      body: JSON.stringify({ completed: true }),
    });
    const own = await stream.next((e) => e.event === 'change');
    expect(JSON.parse(own.data)).toEqual({ listId, origin: 'tab-1' });
    await fetch(`${url}/api/lists/${listId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Renamed' }),
    });
    await stream.next((e) => e.event === 'change');
    // A read is not a change; a failed change is none either.
    await fetch(`${url}/api/lists/${listId}/todos`);
    await fetch(`${url}/api/lists/${listId}/todos/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'DELETE' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.events.filter((e) => e.event === 'change')).toHaveLength(3);
  });

  it('tells a reconnecting client (Last-Event-ID) to resync', async () => {
    const listId = await newList();
    const stream = await open(listId, { 'last-event-id': 'abc-1' });
    const first = await stream.next((e) => e.event !== 'comment');
    expect(first.event).toBe('resync');
  });

  it('answers 404 for no such list and 400 for a malformed id, as problems', async () => {
    const missing = await fetch(`${url}/api/lists/AAAAAAAAAAAAAAAAAAAAAA/events`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    const malformed = await fetch(`${url}/api/lists/nope/events`);
    expect(malformed.status).toBe(400);
  });
});

describe('list events when the app closes', () => {
  it('ends every stream, so that clients reconnect elsewhere', async () => {
    const t = await startTestApp('postgres');
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const list = (await (await fetch(`${url}/api/lists`, { method: 'POST' })).json()) as {
        id: string;
      };
      const stream = await openEventStream(`${url}/api/lists/${list.id}/events`);
      await stream.next((e) => e.data === 'connected');
      const closing = t.app.close();
      await stream.ended;
      await closing;
    } finally {
      await t.close();
    }
  });
});

describe('list event heartbeats', () => {
  it('sends a comment line at the configured interval, so that idle proxies keep the stream', async () => {
    const t = await startTestApp('pglite');
    const app = Fastify();
    try {
      await app.register(eventRoutes, {
        db: t.database.db,
        changes: inProcessChangeFeed(),
        isDraining: () => false,
        heartbeatMs: 100,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const created = await t.app.inject({ method: 'POST', url: '/api/lists' });
      const { id } = created.json<{ id: string }>();
      const stream = await openEventStream(`${url}/api/lists/${id}/events`);
      const started = Date.now();
      await stream.next((e) => e.event === 'comment' && e.data === 'ping', 1_000);
      await stream.next((e) => e.event === 'comment' && e.data === 'ping', 1_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      stream.close();
    } finally {
      await app.close();
      await t.close();
    }
  });

  it('keeps the production interval under the ALB’s 60 s idle timeout', () => {
    expect(HEARTBEAT_MS).toBeLessThan(60_000);
  });
});
