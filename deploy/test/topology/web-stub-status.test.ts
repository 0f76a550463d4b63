// nginx's connection counters for the exporter: on a loopback port of their own, never on the
// port the load balancer sends traffic to; the container's server block stays as it ships.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort, waitForHttp, type RunningProcess } from '@cloud-todo/testkit';
import { assertWebBuilt, startWebProcess, withStubStatus } from '../../local/web-instance.ts';

let nginx: RunningProcess | undefined;
let dir: string;
let port: number;
let statusPort: number;

beforeAll(async () => {
  assertWebBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cloud-todo-stub-status-'));
  port = await freePort();
  statusPort = await freePort();
  nginx = await startWebProcess({ port, dir, statusPort });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, { process: nginx });
});

afterAll(async () => {
  await nginx?.stop('SIGQUIT');
  await rm(dir, { recursive: true, force: true });
});

test('stub_status answers on its own port only', async () => {
  const status = await fetch(`http://127.0.0.1:${statusPort}/stub_status`);
  expect(status.status).toBe(200);
  expect(await status.text()).toMatch(/^Active connections: \d+/);
  expect((await fetch(`http://127.0.0.1:${statusPort}/`)).status).toBe(404);
  const app = await fetch(`http://127.0.0.1:${port}/stub_status`);
  expect(await app.text()).not.toMatch(/Active connections/);
});

test('withStubStatus adds one server inside the http block and refuses a bad port', () => {
  const config = 'events {}\nhttp {\n    server {\n        listen 1;\n    }\n}\n';
  const added = withStubStatus(config, 9113);
  expect(added.match(/server \{/g)).toHaveLength(2);
  expect(added).toMatch(/listen 127\.0\.0\.1:9113;[\s\S]*stub_status;[\s\S]*\}\n\}\n$/);
  expect(() => withStubStatus(config, Number.NaN)).toThrow(/port/);
});
