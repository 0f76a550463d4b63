import { expect } from 'vitest';
import type { Answer, Body } from './client.ts';

/** Asserts a problem+json answer with the status, a clear message and no internals. */
export function expectProblem(answer: Answer<Body>, status: number, type?: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.body.status).toBe(status);
  expect(answer.body.type).toMatch(/^\/api\/problems\/[a-z-]+$/);
  if (type !== undefined) expect(answer.body.type).toBe(`/api/problems/${type}`);
  expect(answer.body.title.length).toBeGreaterThan(0);
  expect(answer.body.detail?.length ?? 0).toBeGreaterThan(0);
  // Never a stack trace or a path of the server.
  expect(answer.text).not.toMatch(/\n\s+at |node_modules|\/src\/|\.ts:\d/);
}
