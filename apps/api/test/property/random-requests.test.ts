import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/schemas/todo.ts';
import { call, createList } from '../support/client.ts';
import { ENGINES } from '../support/engines.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** The rule for titles, written again from the contract (not taken from the code). */
function isValidTitle(title: unknown): title is string {
  if (typeof title !== 'string') return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(title)) return false;
  const trimmed = title.trim();
  return trimmed.length > 0 && [...title].length <= 1000;
}
const isValidOrder = (order: unknown) =>
  order === undefined ||
  (Number.isInteger(order) && (order as number) >= 0 && (order as number) <= 2147483647);

const title = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', '   ', 'ok', 'a\u0000b', '🎉', ' x ', 'x'.repeat(1001), 'مرحبا'),
  fc.anything(),
);
const order = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(2147483647, 2147483648, 1.5, '3'),
);
const completed = fc.oneof(fc.boolean(), fc.constantFrom(undefined, 'true', 0, null));
const action = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), title, order, completed }),
  fc.record({
    kind: fc.constant('patch' as const),
    target: fc.nat(),
    title: fc.option(title),
    completed: fc.option(completed),
  }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('toggleAll' as const), completed }),
  fc.record({ kind: fc.constant('clearCompleted' as const) }),
  fc.record({ kind: fc.constant('garbage' as const), body: fc.string({ maxLength: 40 }) }),
);

interface ModelTodo {
  id: string;
  title: string;
  completed: boolean;
  order: number;
  seq: number;
}

describe.each(ENGINES)('random request sequences on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('never answer 5xx, and the list always equals the model', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 15 }), async (actions) => {
        const list = await createList(t.app);
        const model: ModelTodo[] = [];
        const pick = (n: number) => model[n % Math.max(model.length, 1)];
        for (const step of actions) {
          let status: number;
          if (step.kind === 'create') {
            const body: Record<string, unknown> = { title: step.title };
            if (step.order !== undefined) body.order = step.order;
            if (step.completed !== undefined) body.completed = step.completed;
            const answer = await call<Todo>(t.app, 'POST', list.todos, {
              payload: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            });
            status = answer.status;
            const valid =
              isValidTitle(step.title) &&
              isValidOrder(step.order) &&
              (step.completed === undefined || typeof step.completed === 'boolean');
            expect(status, JSON.stringify(body)).toBe(valid ? 201 : 400);
            if (status === 201) {
              expect(answer.body.title).toBe((step.title as string).trim());
              model.push({
                id: answer.body.id,
                title: answer.body.title,
                completed: answer.body.completed,
                order: answer.body.order,
                seq: seq++,
              });
            }
          } else if (step.kind === 'patch') {
            const todo = pick(step.target);
            const body: Record<string, unknown> = {};
            if (step.title !== null && step.title !== undefined) body.title = step.title;
            if (step.completed !== null && step.completed !== undefined)
              body.completed = step.completed;
            const id = todo?.id ?? 'AAAAAAAAAAAAAAAAAAAAAA';
            const answer = await call<Todo>(t.app, 'PATCH', `${list.todos}/${id}`, {
              payload: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            });
            status = answer.status;
            const valid =
              Object.keys(body).length > 0 &&
              (!('title' in body) || isValidTitle(body.title)) &&
              (!('completed' in body) || typeof body.completed === 'boolean');
            expect(status, JSON.stringify(body)).toBe(!valid ? 400 : todo ? 200 : 404);
            if (status === 200 && todo) {
              if ('title' in body) todo.title = (body.title as string).trim();
              if ('completed' in body) todo.completed = body.completed as boolean;
            }
          } else if (step.kind === 'delete') {
            const todo = pick(step.target);
            status = (
              await call(t.app, 'DELETE', `${list.todos}/${todo?.id ?? 'AAAAAAAAAAAAAAAAAAAAAA'}`)
            ).status;
            expect(status).toBe(todo ? 204 : 404);
            if (todo) model.splice(model.indexOf(todo), 1);
          } else if (step.kind === 'toggleAll') {
            const answer = await call(t.app, 'PATCH', list.todos, {
              payload: JSON.stringify({ completed: step.completed }),
              headers: { 'content-type': 'application/json' },
            });
            status = answer.status;
            expect(status).toBe(typeof step.completed === 'boolean' ? 200 : 400);
            if (status === 200)
              for (const todo of model) todo.completed = step.completed as boolean;
          } else if (step.kind === 'clearCompleted') {
            status = (await call(t.app, 'DELETE', `${list.todos}?completed=true`)).status;
            expect(status).toBe(204);
            model.splice(0, model.length, ...model.filter((todo) => !todo.completed));
          } else {
            status = (
              await call(t.app, 'POST', list.todos, {
                payload: step.body,
                headers: { 'content-type': 'application/json' },
              })
            ).status;
            expect([201, 400]).toContain(status);
            if (status === 201) return; // a random string that is a valid todo: vanishingly rare; the model cannot follow
          }
          expect(status).toBeLessThan(500);

          const expected = [...model]
            .sort((a, b) => a.order - b.order || a.seq - b.seq)
            .map(({ id, title, completed, order }) => ({ id, title, completed, order }));
          const actual = await call<Todo[]>(t.app, 'GET', list.todos);
          expect(actual.status).toBe(200);
          expect(
            actual.body.map(({ id, title, completed, order }) => ({ id, title, completed, order })),
          ).toEqual(expected);
        }
      }),
      { numRuns: engine === 'postgres' ? 40 : 15 },
    );
    expect((await call(t.app, 'GET', '/healthz')).status).toBe(200);
  });
});
