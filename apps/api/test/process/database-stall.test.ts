// The database stops answering without refusing anything — an RDS Multi-AZ failover as the
// API sees it — and comes back. Reproduces the defect "acknowledged writes lost after a stall":
// connections whose statement timed out went back to the pool with a transaction open, and
// later single-statement writes on them were acknowledged and never committed.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startThrowawayCluster, type ThrowawayCluster } from '@cloud-todo/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';

const STALL_MS = 8_000;

interface Answer {
  readonly status: number;
  readonly type: string | undefined;
  readonly retryAfter: string | null;
  readonly ms: number;
  readonly body: unknown;
}

async function send(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  return {
    status: response.status,
    type: (parsed as { type?: string } | undefined)?.type,
    retryAfter: response.headers.get('retry-after'),
    ms: Date.now() - started,
    body: parsed,
  };
}

describe('the database stalls (SIGSTOP) under writes, then resumes', () => {
  let cluster: ThrowawayCluster;
  let api: ApiProcess;
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    api = await startApiProcess({ DATABASE_URL: cluster.url, DB_POOL_MAX: '10' });
  });
  afterAll(async () => {
    await cluster?.thaw();
    await api?.process.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('acknowledges only what is committed, and leaves no transaction open', async () => {
    const list = (await send(`${api.url}/api/lists`, 'POST')).body as { todosUrl: string };
    const first = (await send(list.todosUrl, 'POST', { title: 'first' })).body as { url: string };
    // Warm the pool: reads held up by a table lock each open a connection of their own, so
    // that several are idle in the pool when the database stalls (as on a busy service).
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('begin');
    await admin.query('lock table todos in access exclusive mode');
    const warming = Promise.all(Array.from({ length: 9 }, () => send(list.todosUrl, 'GET')));
    await sleep(500);
    await admin.query('commit');
    await admin.end();
    for (const answer of await warming) expect(answer.status).toBe(200);

    await cluster.freeze();
    const keys = Array.from({ length: 6 }, () => randomUUID());
    const during = await Promise.all([
      ...keys.map((key, n) =>
        send(list.todosUrl, 'POST', { title: `keyed ${n}` }, { 'idempotency-key': key }),
      ),
      send(list.todosUrl, 'POST', { title: 'keyless during' }),
      send(first.url, 'PATCH', { title: 'patched during' }),
      send(list.todosUrl, 'GET'),
    ]);
    for (const answer of during) {
      expect(answer.status, JSON.stringify(answer)).toBe(503);
      expect(['/api/problems/database-unavailable', '/api/problems/outcome-unknown']).toContain(
        answer.type,
      );
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      // Bounded by the client-side statement timeout (6 s) plus the pool's wait, not the stall.
      expect(answer.ms).toBeLessThan(STALL_MS);
    }
    // A read never claims an unknown outcome.
    expect(during.at(-1)?.type).toBe('/api/problems/database-unavailable');
    const keylessDuringUnknown = during[6]?.type === '/api/problems/outcome-unknown';

    await sleep(Math.max(0, STALL_MS - Math.max(...during.map((a) => a.ms))));
    await cluster.thaw();
    await sleep(2_000);

    // After the thaw: writes in parallel, each acknowledged one must be in the database.
    const patches = Array.from({ length: 10 }, (_, n) =>
      send(first.url, 'PATCH', { title: `patch ${n}` }).then((answer) => ({ n, answer })),
    );
    const creates = Array.from({ length: 30 }, (_, n) =>
      send(list.todosUrl, 'POST', { title: `after ${n}` }),
    );
    const retries = keys.map((key, n) =>
      send(list.todosUrl, 'POST', { title: `keyed ${n}` }, { 'idempotency-key': key }),
    );
    const [patched, created, retried] = await Promise.all([
      Promise.all(patches),
      Promise.all(creates),
      Promise.all(retries),
    ]);
    for (const answer of [...patched.map((p) => p.answer), ...created, ...retried]) {
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    }

    const check = new pg.Client({ connectionString: cluster.url });
    await check.connect();
    try {
      await sleep(500);
      const sessions = await check.query<{ state: string; n: number }>(
        "select state, count(*)::int as n from pg_stat_activity where application_name = 'cloud-todo-api' group by 1",
      );
      expect(sessions.rows.filter((row) => row.state !== 'idle')).toEqual([]);
      // A graceful stop closes the pool: an uncommitted transaction would roll back now.
      await api.process.stop('SIGTERM');
      const titles = (await check.query<{ title: string }>('select title from todos')).rows.map(
        (row) => row.title,
      );
      for (let n = 0; n < 30; n += 1) expect(titles).toContain(`after ${n}`);
      // The last PATCH acknowledged is the one stored (they ran in parallel: one of them).
      expect(titles.filter((t) => /^patch \d$/.test(t))).toHaveLength(1);
      // Each keyed create exactly once, whether its first attempt committed late or not at all.
      for (let n = 0; n < keys.length; n += 1) {
        expect(titles.filter((t) => t === `keyed ${n}`)).toHaveLength(1);
      }
      // "Nothing was changed" must be true: a keyless create answered database-unavailable
      // (not outcome-unknown) never appears.
      if (!keylessDuringUnknown) expect(titles).not.toContain('keyless during');
    } finally {
      await check.end();
    }
  });
});
