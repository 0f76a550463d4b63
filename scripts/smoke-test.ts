/**
 * Smoke test of a running cloud-todo: the web page, then a list and a todo created, read and
 * removed through the API, as a user's first minute does. Exits non-zero with the failed step.
 *
 *   npm run smoke -- https://todo.example.org        # any URL (also http://localhost:8080)
 *   npm run smoke -- --profile prod                  # the AppUrl output of CloudTodo-prod-Services
 *
 * Waits up to SMOKE_WAIT_SECONDS (default 120) for the first answer, then each request has
 * 10 s. Needs the AWS CLI only with --profile.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isProfileName, PROFILES } from '../infra/src/profile.ts';

const args = process.argv.slice(2);
const waitSeconds = Number(process.env.SMOKE_WAIT_SECONDS ?? 120);

function fail(message: string): never {
  console.error(`smoke: FAILED: ${message}`);
  process.exit(1);
}

function appUrl(): string {
  if (args[0] === '--profile' && args[1]) {
    const name = args[1];
    if (!isProfileName(name)) fail(`unknown profile ${name} (${Object.keys(PROFILES).join(', ')})`);
    const stack = `CloudTodo-${name}-Services`;
    try {
      return execFileSync(
        'aws',
        [
          'cloudformation',
          'describe-stacks',
          // The profile's region, where its stacks are, whatever AWS_REGION says.
          '--region',
          PROFILES[name].region,
          '--stack-name',
          stack,
          '--query',
          "Stacks[0].Outputs[?OutputKey=='AppUrl'].OutputValue",
          '--output',
          'text',
        ],
        { encoding: 'utf8' },
      ).trim();
    } catch {
      fail(`could not read the AppUrl output of ${stack} (aws cloudformation describe-stacks)`);
    }
  }
  if (args.length === 1 && /^https?:\/\/[^\s]+$/.test(args[0]!)) return args[0]!;
  fail('usage: npm run smoke -- <http(s) URL> | --profile <name>');
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'follow' });
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    console.log(`smoke: ok   ${name} (${Math.round(performance.now() - started)} ms)`);
    return result;
  } catch (error) {
    fail(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function expectStatus(response: Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}, expected ${status}`);
  }
}

const base = appUrl().replace(/\/+$/, '');
if (!base || base === 'None') fail('the stack has no AppUrl output');
console.log(`smoke: ${base}`);

await step(`the web page answers within ${waitSeconds} s`, async () => {
  const deadline = Date.now() + waitSeconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await request(`${base}/`);
      const type = response.headers.get('content-type') ?? '';
      if (response.status === 200 && type.includes('text/html')) return;
      last = `${response.status} ${type}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  throw new Error(`GET / never gave 200 text/html (last: ${last})`);
});

const json = { 'content-type': 'application/json' };
// Every first-party client sends a key with every create (docs/api.md, "Outcomes of a write").
const keyed = () => ({ ...json, 'idempotency-key': randomUUID() });
const list = await step('POST /api/lists creates a list', async () => {
  const response = await request(`${base}/api/lists`, {
    method: 'POST',
    headers: keyed(),
    body: JSON.stringify({ title: 'smoke test' }),
  });
  expectStatus(response, 201, 'POST /api/lists');
  const body = (await response.json()) as { todosUrl?: string };
  if (!body.todosUrl) throw new Error('the new list has no todosUrl');
  return { todosUrl: body.todosUrl };
});

// The API builds absolute URLs from the forwarded host; follow the path on the URL we test.
const todos = `${base}${new URL(list.todosUrl).pathname}`;
await step('POST a todo, then GET it back from the list', async () => {
  const title = `smoke ${new Date().toISOString()}`;
  const created = await request(todos, {
    method: 'POST',
    headers: keyed(),
    body: JSON.stringify({ title }),
  });
  expectStatus(created, 201, 'POST todos');
  const read = await request(todos);
  expectStatus(read, 200, 'GET todos');
  const items = (await read.json()) as { title: string }[];
  if (!items.some((t) => t.title === title)) throw new Error('the created todo is not listed');
});

await step('DELETE the todos again', async () => {
  const response = await request(todos, { method: 'DELETE' });
  if (response.status !== 204 && response.status !== 200) {
    throw new Error(`DELETE todos answered ${response.status}`);
  }
});

console.log('smoke: passed');
