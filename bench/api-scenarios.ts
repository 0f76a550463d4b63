// The API scenarios that both benchmarks run (api-bench.ts against one process and a bare
// ceiling; topology-bench.ts through the load balancer): GET a list of 20 todos, POST a
// todo, PATCH a todo, on data they create through the API first.
import { readFile } from 'node:fs/promises';
import type autocannon from 'autocannon';

export interface Scenario {
  readonly name: string;
  /** The autocannon options for a server reachable at `baseUrl`. */
  readonly request: (baseUrl: string) => autocannon.Options;
}

/** Linux USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
export const CLOCK_TICKS_PER_S = 100;

/** User + system CPU ticks of a process so far (0 for no process). */
export async function cpuTicks(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function apiCall(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as { id: string };
}

/**
 * Creates the scenarios' data through the API at `base` — a list of 20 todos to read, 200
 * todos to update in turn, a list to add to — and returns the scenarios over it.
 */
export async function createApiScenarios(base: string): Promise<Scenario[]> {
  const readList = await apiCall(base, 'POST', '/api/lists');
  for (let i = 0; i < 20; i += 1) {
    await apiCall(base, 'POST', `/api/lists/${readList.id}/todos`, {
      title: `todo ${i}`,
      order: i,
    });
  }
  const patchList = await apiCall(base, 'POST', '/api/lists');
  const patchIds: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    const todo = await apiCall(base, 'POST', `/api/lists/${patchList.id}/todos`, { title: 'p' });
    patchIds.push(todo.id);
  }
  const postList = await apiCall(base, 'POST', '/api/lists');
  let next = 0;
  const json = { 'content-type': 'application/json' };
  return [
    {
      name: 'GET list of 20 todos',
      request: (url) => ({ url: `${url}/api/lists/${readList.id}/todos` }),
    },
    {
      name: 'POST a todo',
      request: (url) => ({
        url: `${url}/api/lists/${postList.id}/todos`,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ title: 'a new todo' }),
      }),
    },
    {
      name: 'PATCH a todo',
      request: (url) => ({
        url,
        requests: [
          {
            method: 'PATCH',
            headers: json,
            body: JSON.stringify({ title: 'renamed', completed: true }),
            setupRequest: (request) => {
              next = (next + 1) % patchIds.length;
              return { ...request, path: `/api/lists/${patchList.id}/todos/${patchIds[next]}` };
            },
          },
        ],
      }),
    },
  ];
}
