import { startThrowawayCluster, type ThrowawayCluster } from '@cloud-todo/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';

/** An answer, and how long it took: during an outage the API must fail fast, never hang. */
async function timed(url: string, init?: RequestInit) {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, ms: Date.now() - started };
}

describe('the database goes away and comes back', () => {
  let cluster: ThrowawayCluster;
  let api: ApiProcess;
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    api = await startApiProcess({ DATABASE_URL: cluster.url });
  });
  afterAll(async () => {
    await api?.process.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('answers 503 + Retry-After fast while it is down, recovers without a restart, loses nothing', async () => {
    const post = (todos: string, title: string) =>
      timed(todos, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title }),
      });
    const list = JSON.parse((await timed(`${api.url}/api/lists`, { method: 'POST' })).text) as {
      todosUrl: string;
    };
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await post(list.todosUrl, `before ${i}`);
      expect(answer.status).toBe(201);
      acknowledged.push(`before ${i}`);
    }

    for (const mode of ['fast', 'immediate'] as const) {
      await cluster.stop(mode);
      for (let i = 0; i < 3; i += 1) {
        for (const answer of [
          await timed(list.todosUrl),
          await post(list.todosUrl, `during ${mode} ${i}`),
        ]) {
          expect(answer.status, answer.text).toBe(503);
          expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(answer.text)).toMatchObject({
            type: '/api/problems/database-unavailable',
          });
          expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
          // Bounded by the pool's connect timeout (2 s), with room for a busy machine.
          expect(answer.ms).toBeLessThan(8_000);
        }
      }
      expect((await timed(`${api.url}/healthz`)).status).toBe(200);
      expect((await timed(`${api.url}/readyz`)).status).toBe(503);

      await cluster.start();
      const deadline = Date.now() + 30_000;
      let recovered = false;
      while (!recovered && Date.now() < deadline) {
        const answer = await post(list.todosUrl, `after ${mode}`);
        if (answer.status === 201) {
          acknowledged.push(`after ${mode}`);
          recovered = true;
        } else {
          expect(answer.status).toBe(503);
          await sleep(250);
        }
      }
      expect(recovered).toBe(true);
      expect((await timed(`${api.url}/readyz`)).status).toBe(200);
    }

    const stored = JSON.parse((await timed(list.todosUrl)).text) as { title: string }[];
    expect(stored.map((todo) => todo.title)).toEqual(acknowledged);
    expect(api.process.child.exitCode).toBeNull();
  });
});
