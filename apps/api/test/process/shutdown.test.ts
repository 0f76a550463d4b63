import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createEngineDatabase, type EngineDatabase } from '../support/engines.ts';

/** A POST whose body arrives in two halves, `gapMs` apart: in flight for that long. */
function slowPost(url: string, body: string, gapMs: number, onHeadersSent: () => void) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    onHeadersSent();
    setTimeout(() => req.end(body.slice(half)), gapMs);
  });
}

describe('SIGTERM', () => {
  let db: EngineDatabase;
  let api: ApiProcess;
  beforeAll(async () => {
    db = await createEngineDatabase('postgres');
    api = await startApiProcess(db.env);
  });
  afterAll(async () => {
    await api?.process.stop('SIGKILL');
    await db?.cleanup();
  });

  it('lets in-flight requests finish, closes the pool and exits 0 within 10 s', async () => {
    const list = (await (await fetch(`${api.url}/api/lists`, { method: 'POST' })).json()) as {
      todosUrl: string;
    };
    const todos = list.todosUrl;
    // A burst of ordinary requests, and one whose body is still arriving at SIGTERM.
    const burst = Array.from({ length: 20 }, (_, i) =>
      fetch(todos, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `burst ${i}` }),
      }).then(async (response) => ({ status: response.status, text: await response.text() })),
    );
    let signalled = 0;
    const slow = slowPost(todos, JSON.stringify({ title: 'slow one' }), 1_500, () => {
      setTimeout(() => {
        signalled = Date.now();
        api.process.child.kill('SIGTERM');
      }, 300);
    });
    const answers = await Promise.all([...burst, slow]);
    for (const answer of answers) expect(answer.status, answer.text).toBe(201);
    const code = await api.process.exited;
    expect(code, api.process.output()).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(api.process.output()).toContain('draining');

    // Every acknowledged create is stored.
    const check = await startApiProcess(db.env);
    try {
      const stored = await (await fetch(todos.replace(api.url, check.url))).json();
      expect(stored, `${todos} ${api.url} ${check.url}`).toHaveLength(21);
    } finally {
      await check.process.stop();
    }
  });
});
